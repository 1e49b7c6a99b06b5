import "server-only";
import { logError, logInfo } from "../log";
import { purgeSends } from "./purge-sends";
import { runAlone } from "../jobs/single-runner";

const EVERY_MS = 60 * 60 * 1000;
const g = globalThis as unknown as { __gmpPurgeTimer?: NodeJS.Timeout };

async function runOnce(): Promise<void> {
  try {
    const results = await runAlone("retention-purge", () => purgeSends());
    if (!results) return; // another instance is purging
    const deleted = results.reduce((n, r) => n + r.deleted, 0);
    const stripped = results.reduce((n, r) => n + r.stripped, 0);
    if (deleted || stripped) logInfo(`retention: deleted ${deleted} send(s), cleared the bodies of ${stripped}`);
  } catch (err) {
    logError("retention purge failed", err);
  }
}

/**
 * The retention purge: once shortly after start, then hourly, by one instance at a time (lib/jobs/single-runner.ts).
 * Each batch is an idempotent DELETE … LIMIT anyway, so even overlapping purges would only share the work.
 */
export function startPurgeJob(): void {
  if (g.__gmpPurgeTimer) return;
  // After start-up work, so the first page is not slowed by a large first purge.
  setTimeout(() => void runOnce(), 5_000).unref();
  g.__gmpPurgeTimer = setInterval(() => void runOnce(), EVERY_MS);
  g.__gmpPurgeTimer.unref();
}
