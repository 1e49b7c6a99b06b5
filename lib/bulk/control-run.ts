import "server-only";
import type { SessionUser } from "../auth/session";
import { recordAudit } from "../audit/record";
import { db } from "../db";
import { AppError, forbidden } from "../errors";
import { loadSender, maySend } from "../grants/may-send";
import type { BulkOp } from "../schemas/bulk";
import { findVisibleRun, mayCreateRuns } from "./access";
import { runPlaceholders } from "./run-fields";
import { templateErrors } from "./template";
import { kickBulkRun } from "./worker";

/**
 * Start, pause, resume and cancel a bulk run. Start and resume are the creator's (the messages go out
 * under their grant, asked of lib/grants here and again for every message by queue-send and the
 * outbox); an admin may also pause or cancel anyone's run. Pausing stops queueing at once (the
 * queueing step's transaction holds the run row, queue-step.ts); the few messages already in the outbox
 * finish. Cancelling also marks every recipient not yet queued as skipped.
 */
const FROM: Record<BulkOp, string[]> = { start: ["draft"], pause: ["running"], resume: ["paused"], cancel: ["draft", "running", "paused"] };
const TO = { start: "running", pause: "paused", resume: "running", cancel: "cancelled" } as const;

const conflict = (message: string) => new AppError("RUN_STATE", { userMessage: message, status: 409 });

export async function controlRun(actor: SessionUser, runId: string, op: BulkOp): Promise<{ status: string }> {
  if (!mayCreateRuns(actor)) throw forbidden("control bulk runs");
  const run = await findVisibleRun(actor, runId);
  const own = run.createdById === actor.id;
  if ((op === "start" || op === "resume") && !own) throw new AppError("FORBIDDEN", { userMessage: "Only the person who created this run starts or resumes it: the messages go out under their grant.", status: 403 });
  if (!FROM[op].includes(run.status)) throw conflict(`This run is ${run.status}: it cannot be ${op === "start" ? "started" : `${op}d`}.`);

  if (op === "start" || op === "resume") {
    const tenant = await db().tenant.findUnique({ where: { id: run.tenantId }, select: { id: true, name: true, clientId: true, useApplication: true, useDelegated: true } });
    if (!tenant) throw new AppError("NOT_FOUND", { userMessage: "The run's tenant was removed.", status: 404 });
    const refusal = await maySend({ actor: await loadSender(actor.id), tenant, mode: "app", from: run.fromAddress });
    if (refusal) throw new AppError("VALIDATION_FAILED", { userMessage: refusal.message, status: 422, fields: { [refusal.field]: refusal.message } });
    if (!run.subject || !run.html) throw new AppError("VALIDATION_FAILED", { userMessage: "Write the message first (subject and body).", status: 422, fields: { subject: "Write the message first" } });
    const errors = templateErrors(run, await runPlaceholders(run.id));
    if (Object.keys(errors).length) throw new AppError("VALIDATION_FAILED", { userMessage: Object.values(errors)[0]!, status: 422, fields: errors });
  }

  const now = new Date();
  const n = await db().$transaction(async (tx) => {
    const u = await tx.bulkRun.updateMany({
      where: { id: run.id, status: { in: FROM[op] as ("draft" | "running" | "paused")[] } },
      data: { status: TO[op], ...(op === "start" ? { startedAt: now } : {}), ...(op === "cancel" ? { finishedAt: now } : {}), ...(op === "start" || op === "resume" ? { stopReason: null } : {}) },
    });
    if (u.count === 0) return 0;
    if (op === "cancel") await tx.bulkRecipient.updateMany({ where: { runId: run.id, status: "pending" }, data: { status: "skipped", leaseUntil: null } });
    await recordAudit({ actor, action: `bulk.${op === "start" ? "started" : op === "pause" ? "paused" : op === "resume" ? "resumed" : "cancelled"}`, target: run.id, tenantId: run.tenantId, before: { status: run.status }, after: { status: TO[op] } }, tx);
    return 1;
  });
  if (n === 0) throw conflict("The run changed meanwhile; reload the page.");
  if (TO[op] === "running") kickBulkRun(run.id);
  return { status: TO[op] };
}
