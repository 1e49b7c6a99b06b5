/**
 * Preloaded by `npm run bench:smtp` into the processes it measures (node --expose-gc): SIGUSR2 runs a full
 * garbage collection, so the bench can read the RSS that is still in use after a load next to the peak
 * RSS (which also counts garbage V8 had not collected yet). Without --expose-gc it does nothing.
 *
 * BENCH_HEAP_SAMPLE=<dir> (profiling, not measuring): between the first SIGUSR2 (before the load) and the
 * second (after it), V8's sampling heap profiler records where the heap is allocated — including objects a
 * full collection later freed, i.e. garbage that lived long enough to be promoted — written to
 * <dir>/<pid>.heapprofile (open it in Chrome DevTools, Memory tab).
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import path from "node:path";

const collectGarbage = (globalThis as { gc?: () => void }).gc;
const sampleDir = process.env.BENCH_HEAP_SAMPLE;
let session: Session | null = null;
if (collectGarbage) {
  process.on("SIGUSR2", () => {
    collectGarbage();
    if (!sampleDir) return;
    if (!session) {
      session = new Session();
      session.connect();
      session.post("HeapProfiler.startSampling", { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: false });
      return;
    }
    session.post("HeapProfiler.stopSampling", (err, res) => {
      if (!err) writeFileSync(path.join(sampleDir, `${process.pid}.heapprofile`), JSON.stringify(res.profile));
    });
  });
}
