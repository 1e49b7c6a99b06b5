import "server-only";
import { env } from "./env";
import { issueSetupCodeIfUnclaimed } from "./auth/setup-code";
import { provisionTenantsFromFile } from "./tenants/provision-from-file";
import { logError, logInfo } from "./log";
import { startOutboxWorker } from "./outbox/worker";
import { startPurgeJob } from "./history/purge-job";
import { startBulkWorker } from "./bulk/worker";
import { startIdempotencyPurgeJob } from "./api-keys/purge-idempotency";

/** Runs once when the portal server starts (instrumentation.ts). */
export async function startup(): Promise<void> {
  const e = env();
  if (e.PORTAL_TENANTS_FILE) {
    try {
      const n = await provisionTenantsFromFile(e.PORTAL_TENANTS_FILE);
      logInfo(`provisioned ${n} tenant(s) from ${e.PORTAL_TENANTS_FILE}`);
    } catch (err) {
      logError(`could not provision tenants from ${e.PORTAL_TENANTS_FILE}`, err);
    }
  }
  // Send history retention: purges at start and hourly (lib/history/purge-job.ts).
  startPurgeJob();
  startIdempotencyPurgeJob();
  // The outbox worker runs in every portal process; SKIP LOCKED claims keep sends exactly-once.
  startOutboxWorker();
  // Bulk runs move their recipients into the outbox a few at a time (lib/bulk/queue-step.ts).
  startBulkWorker();
  const code = await issueSetupCodeIfUnclaimed();
  if (code) {
    const url = `${e.PORTAL_URL.replace(/\/$/, "")}/setup`;
    // Printed on purpose: this is how the first admin proves they run the server (like Grafana/Jenkins).
    console.log(
      [
        "",
        "==================================================================",
        "  Graph Mail Portal has no admin yet. Claim it at:",
        `    ${url}`,
        `  One-time setup code:  ${code}`,
        `  (also saved in ${e.PORTAL_DATA_DIR}/setup-code)`,
        "==================================================================",
        "",
      ].join("\n"),
    );
  }
}
