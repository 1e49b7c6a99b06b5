import "server-only";
import { logError } from "../log";
import { queueBulkStep, type StepOptions } from "./queue-step";

/**
 * Runs the bulk queueing step (queue-step.ts) every second in each portal process, beside the outbox
 * worker. Every instance may run it: the step's claims and the send-id check make that safe.
 */
const g = globalThis as unknown as { __gmpBulk?: { timer: NodeJS.Timeout; busy: boolean } };

export function startBulkWorker(over: Partial<StepOptions> & { pollMs?: number } = {}): void {
  if (g.__gmpBulk) return;
  const state = { busy: false, timer: setInterval(() => void tick(), over.pollMs ?? 1_000) };
  state.timer.unref?.();
  g.__gmpBulk = state;
  async function tick() {
    if (state.busy) return;
    state.busy = true;
    try {
      await queueBulkStep(over);
    } catch (err) {
      logError("bulk: step failed", err);
    } finally {
      state.busy = false;
    }
  }
}

/** Runs a step now for one run (after Start or Resume), so the page does not wait a poll; only where the worker runs. */
export function kickBulkRun(runId: string): void {
  if (!g.__gmpBulk) return;
  void queueBulkStep({}, runId).catch((err: unknown) => logError(`bulk: run ${runId}`, err));
}
