import "server-only";
import { env } from "./env";
import { issueSetupCodeIfUnclaimed } from "./auth/setup-code";
import { provisionTenantsFromFile } from "./tenants/provision-from-file";
import { logError, logInfo } from "./log";
import { startOutboxWorker } from "./outbox/worker";
import { startPurgeJob } from "./history/purge-job";
import { startFoldJob } from "./history/fold-job";
import { startBulkWorker } from "./bulk/worker";
import { startIdempotencyPurgeJob } from "./api-keys/purge-idempotency";
import { startCredentialWarningJob } from "./credentials/warning-job";
import { startTraceJob } from "./delivery/trace-job";
import { startPortalRelay, stopPortalRelay } from "./smtp/server";

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
  // History's chart: the deltas written with each send folded into day rollups (lib/history/fold-job.ts).
  startFoldJob();
  startIdempotencyPurgeJob();
  // The outbox worker runs in every portal process; SKIP LOCKED claims keep sends exactly-once.
  // PORTAL_OUTBOX_WORKER_CONCURRENCY=0: this process only takes mail in (web, relay); workers run elsewhere (scripts/outbox/worker.ts).
  if (e.PORTAL_OUTBOX_WORKER_CONCURRENCY > 0) startOutboxWorker();
  // The SMTP relay for devices (lib/smtp/server.ts), unless PORTAL_SMTP_PORT=0; a failure to listen is logged, not fatal.
  await startPortalRelay();
  // Bulk runs move their recipients into the outbox a few at a time (lib/bulk/queue-step.ts).
  startBulkWorker();
  // Credential expiry warnings: daily, one runner cluster-wide (lib/credentials/run-warnings.ts).
  startCredentialWarningJob();
  // Delivery status beyond 202: message trace joined to recent sends, one runner per tenant (lib/delivery/trace-job.ts).
  startTraceJob();
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

/** Stops what startup() started that holds a port (the SMTP relay); used by scripts/portal-services.ts on SIGTERM. */
export async function shutdown(): Promise<void> {
  await stopPortalRelay();
}
