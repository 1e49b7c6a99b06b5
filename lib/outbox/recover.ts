import "server-only";
import { db } from "../db";

/**
 * Sends whose claim expired (the worker's process died mid-send). If a send call (sendMail or the
 * draft's send) was answered 202 — the process died between logging the answer and writing the result —
 * the send is `accepted` (Microsoft has it; requeueing it would send it twice, which the fault test with
 * a SIGKILLed worker caught). If a send call was started and never answered, Microsoft may have
 * accepted it: the send becomes `uncertain` and is never resent automatically. Otherwise nothing can
 * have been sent yet, and the send is queued again.
 *
 * Each statement reads a fresh snapshot (READ COMMITTED). A try that started its send call just as
 * the first statement ran (attempts.ts inserts the pending row under the lease in one statement) is
 * seen by the second one's NOT EXISTS and left for the next run to mark uncertain, never requeued.
 */
export async function recoverExpiredLeases(): Promise<{ uncertain: number; requeued: number }> {
  return db().$transaction(async (tx) => {
    await tx.$executeRaw`
      UPDATE "Send" s SET status = 'accepted', "errorCode" = NULL, "errorMessage" = NULL, "workerId" = NULL, "lockedUntil" = NULL,
        "nextAttemptAt" = NULL, "completedAt" = now(), "updatedAt" = now(),
        body = CASE WHEN (SELECT t."metadataOnly" FROM "Tenant" t WHERE t.id = s."tenantId") THEN NULL ELSE s.body END
      WHERE s.status = 'sending' AND s."lockedUntil" < now()
        AND EXISTS (SELECT 1 FROM "SendAttempt" a WHERE a."sendId" = s.id AND a.outcome = 'accepted' AND a.operation IN ('sendMail', 'send'))`;
    const uncertain = await tx.$executeRaw`
      UPDATE "Send" s SET status = 'uncertain', "errorCode" = 'UNCERTAIN', "workerId" = NULL, "lockedUntil" = NULL,
        "errorMessage" = 'The portal stopped while Microsoft was handling this message; it may or may not have been sent.',
        "completedAt" = now(), "updatedAt" = now()
      WHERE s.status = 'sending' AND s."lockedUntil" < now()
        AND EXISTS (SELECT 1 FROM "SendAttempt" a WHERE a."sendId" = s.id AND a.outcome = 'pending' AND a.operation IN ('sendMail', 'send'))`;
    const requeued = await tx.$executeRaw`
      UPDATE "Send" SET status = 'retrying', "workerId" = NULL, "lockedUntil" = NULL, "nextAttemptAt" = now(), "updatedAt" = now()
      WHERE status = 'sending' AND "lockedUntil" < now()
        AND NOT EXISTS (SELECT 1 FROM "SendAttempt" a WHERE a."sendId" = "Send".id AND a.outcome = 'pending' AND a.operation IN ('sendMail', 'send'))`;
    await tx.$executeRaw`
      UPDATE "SendAttempt" a SET outcome = 'abandoned' FROM "Send" s
      WHERE a."sendId" = s.id AND a.outcome = 'pending' AND s.status IN ('uncertain', 'retrying') AND s."workerId" IS NULL`;
    return { uncertain, requeued };
  });
}
