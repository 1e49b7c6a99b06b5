import "server-only";
import { db } from "../db";
import { logError } from "../log";

/**
 * Progress of the Graph stage of a send (bytes uploaded to an upload session), kept in "SendProgress" so
 * the status route of any portal instance shows it, not only the instance running the send. Writes are
 * at most one every PROGRESS_WRITE_MS per send (a phase change is written at once), one at a time, and
 * the row goes when the try ends.
 */
export interface SendProgress {
  phase: string;
  uploadedBytes: number;
  totalBytes: number;
}

export const PROGRESS_WRITE_MS = 500;

interface Reporter {
  set(p: SendProgress): void;
  last(): SendProgress | null;
  /** Waits for the writes already started. */
  flush(): Promise<void>;
}

const g = globalThis as unknown as { __gmpSendProgress?: Map<string, Reporter> };
const reporters = () => (g.__gmpSendProgress ??= new Map());

async function write(sendId: string, p: SendProgress): Promise<void> {
  const data = { phase: p.phase, uploadedBytes: BigInt(p.uploadedBytes), totalBytes: BigInt(p.totalBytes) };
  await db().sendProgress.upsert({ where: { sendId }, create: { sendId, ...data }, update: data });
}

/** The send's reporter for this try: set() never waits on the database (it is called from upload callbacks). */
export function progressReporter(sendId: string): Reporter {
  const known = reporters().get(sendId);
  if (known) return known;
  let last: SendProgress | null = null;
  let written: SendProgress | null = null;
  let writtenAt = 0;
  let chain: Promise<void> = Promise.resolve();
  let pending = false;
  const r: Reporter = {
    set(p) {
      last = p;
      const due = !written || written.phase !== p.phase || Date.now() - writtenAt >= PROGRESS_WRITE_MS;
      if (!due || pending) return;
      pending = true;
      chain = chain.then(async () => {
        pending = false;
        const now = last!;
        written = now;
        writtenAt = Date.now();
        await write(sendId, now).catch((err: unknown) => {
          // P2003: the send itself was deleted meanwhile (retention, an admin): nothing to show progress for.
          if ((err as { code?: string }).code !== "P2003") logError(`outbox: progress of send ${sendId} not recorded`, err);
        });
      });
    },
    last: () => last,
    flush: () => chain,
  };
  reporters().set(sendId, r);
  return r;
}

/** The try is over: its progress row goes (after any write still under way). */
export async function clearProgress(sendId: string): Promise<void> {
  const r = reporters().get(sendId);
  reporters().delete(sendId);
  await r?.flush();
  await db().sendProgress.deleteMany({ where: { sendId } });
}

/** What any instance shows for a send in its Graph stage. */
export async function readProgress(sendId: string): Promise<SendProgress | null> {
  const p = await db().sendProgress.findUnique({ where: { sendId } });
  return p ? { phase: p.phase, uploadedBytes: Number(p.uploadedBytes), totalBytes: Number(p.totalBytes) } : null;
}
