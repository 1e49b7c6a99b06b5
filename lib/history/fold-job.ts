import "server-only";
import { logError } from "../log";
import { foldSendCounts } from "./fold-send-counts";

const EVERY_MS = 3_000;
const g = globalThis as unknown as { __gmpFoldTimer?: NodeJS.Timeout };

/**
 * Folds the chart's deltas into its day rollups every few seconds (lib/history/fold-send-counts.ts), in every
 * portal process; the fold's advisory lock lets one run at a time cluster-wide, and the others skip their turn.
 * Reads stay exact between folds (they add the pending deltas); folding often keeps that addition small.
 */
export function startFoldJob(): void {
  if (g.__gmpFoldTimer) return;
  g.__gmpFoldTimer = setInterval(() => {
    foldSendCounts().catch((err: unknown) => logError("folding the history chart's counts failed", err));
  }, EVERY_MS);
  g.__gmpFoldTimer.unref();
}
