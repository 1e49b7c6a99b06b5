import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { DEFAULT_HEAP_MB, heapArgs } from "../../scripts/start/heap";

/** The old-generation limit, in MB, of a Node process started with these flags (as `npm start` starts next). */
function oldSpaceLimitMb(args: string[]): number {
  const out = execFileSync(process.execPath, [...args, "-e", "process.stdout.write(String(require('v8').getHeapStatistics().heap_size_limit))"], { env: { ...process.env, NODE_OPTIONS: "" } });
  return Number(out.toString()) / 1024 / 1024;
}

describe("the heap limit npm start gives the portal (scripts/start/heap.ts)", () => {
  it("is 1024 MB by default, and the flag takes effect in the process it starts", () => {
    expect(heapArgs({})).toEqual([`--max-old-space-size=${DEFAULT_HEAP_MB}`]);
    const limit = oldSpaceLimitMb(heapArgs({}));
    // heap_size_limit is the old generation plus the young generation's share (tens of MB).
    expect(limit).toBeGreaterThanOrEqual(1024);
    expect(limit).toBeLessThan(1200);
  });

  it("follows PORTAL_MAX_HEAP_MB", () => {
    expect(heapArgs({ PORTAL_MAX_HEAP_MB: " 2048 " })).toEqual(["--max-old-space-size=2048"]);
    const limit = oldSpaceLimitMb(heapArgs({ PORTAL_MAX_HEAP_MB: "512" }));
    expect(limit).toBeGreaterThanOrEqual(512);
    expect(limit).toBeLessThan(700);
  });

  it("leaves a limit the operator set in NODE_OPTIONS alone", () => {
    expect(heapArgs({ NODE_OPTIONS: "--enable-source-maps --max-old-space-size=3000", PORTAL_MAX_HEAP_MB: "512" })).toEqual([]);
    expect(heapArgs({ NODE_OPTIONS: "--max-old-space-size 3000" })).toEqual([]);
    expect(heapArgs({ NODE_OPTIONS: "--enable-source-maps" })).toEqual([`--max-old-space-size=${DEFAULT_HEAP_MB}`]);
  });

  it("refuses a value that is not whole megabytes of at least 256, naming the variable", () => {
    for (const bad of ["1g", "-5", "100", "1024; rm -rf /", "1e3", "12.5"]) {
      expect(() => heapArgs({ PORTAL_MAX_HEAP_MB: bad })).toThrow(/^PORTAL_MAX_HEAP_MB must be a whole number of megabytes, at least 256/);
    }
  });
});
