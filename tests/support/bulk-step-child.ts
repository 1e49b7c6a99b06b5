/**
 * A stand-in portal process for the bulk kill test (tests/integration/bulk-runs.test.ts): runs the real
 * queueing step for one run in a loop until it is killed. Started with
 *   node --conditions=react-server --import tsx tests/support/bulk-step-child.ts <runId>
 * and the test's environment (database, data folder, secret key).
 */
import { queueBulkStep } from "@/lib/bulk/queue-step";

const runId = process.argv[2];
if (!runId) throw new Error("usage: bulk-step-child.ts <runId>");
void (async () => {
  for (;;) await queueBulkStep({ window: 10_000, leaseMs: 1_000 }, runId);
})();
