import "server-only";
import { logError, logInfo } from "../log";
import { purgeIdempotencyRecords } from "./idempotent-send";
import { runAlone } from "../jobs/single-runner";

const EVERY_MS = 60 * 60 * 1000;
const g = globalThis as unknown as { __gmpIdempotencyTimer?: NodeJS.Timeout };

async function runOnce(): Promise<void> {
  try {
    const n = await runAlone("idempotency-purge", () => purgeIdempotencyRecords());
    if (n) logInfo(`api: forgot ${n} idempotency key(s) older than 24 hours`);
  } catch (err) {
    logError("idempotency purge failed", err);
  }
}

/** Hourly, like the retention purge (lib/history/purge-job.ts), by one instance at a time. */
export function startIdempotencyPurgeJob(): void {
  if (g.__gmpIdempotencyTimer) return;
  setTimeout(() => void runOnce(), 7_000).unref();
  g.__gmpIdempotencyTimer = setInterval(() => void runOnce(), EVERY_MS);
  g.__gmpIdempotencyTimer.unref();
}
