import "server-only";
import { db } from "../db";

/**
 * Sends whose claim expired (the worker's process died mid-send). If a send call (sendMail or the
 * draft's send) was started and never answered, Microsoft may have accepted it: the send becomes
 * `uncertain` and is never resent automatically. Otherwise nothing can have been sent yet, and the
 * send is queued again.
 */
export async function recoverExpiredLeases(): Promise<{ uncertain: number; requeued: number }> {
  return db().$transaction(async (tx) => {
    const uncertain = await tx.$executeRaw`
      UPDATE "Send" s SET status = 'uncertain', "errorCode" = 'UNCERTAIN', "workerId" = NULL, "lockedUntil" = NULL,
        "errorMessage" = 'The portal stopped while Microsoft was handling this message; it may or may not have been sent.',
        "completedAt" = now(), "updatedAt" = now()
      WHERE s.status = 'sending' AND s."lockedUntil" < now()
        AND EXISTS (SELECT 1 FROM "SendAttempt" a WHERE a."sendId" = s.id AND a.outcome = 'pending' AND a.operation IN ('sendMail', 'send'))`;
    const requeued = await tx.$executeRaw`
      UPDATE "Send" SET status = 'retrying', "workerId" = NULL, "lockedUntil" = NULL, "nextAttemptAt" = now(), "updatedAt" = now()
      WHERE status = 'sending' AND "lockedUntil" < now()`;
    await tx.$executeRaw`
      UPDATE "SendAttempt" a SET outcome = 'abandoned' FROM "Send" s
      WHERE a."sendId" = s.id AND a.outcome = 'pending' AND s.status IN ('uncertain', 'retrying') AND s."workerId" IS NULL`;
    return { uncertain, requeued };
  });
}
