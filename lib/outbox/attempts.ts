import "server-only";
import { db } from "../db";

/**
 * SendAttempt rows: written `pending` BEFORE each Graph call and completed after it, so a crash in
 * between still shows that a call may have left (lease recovery turns a pending send call into
 * `uncertain`, never into a resend).
 */
export type Operation = "policy" | "token" | "sendMail" | "createDraft" | "attachment" | "createUploadSession" | "upload" | "send" | "deleteDraft";

export const SENDING_OPERATIONS: Operation[] = ["sendMail", "send"];

export interface AttemptFacts {
  durationMs: number;
  httpStatus?: number | null;
  graphCode?: string | null;
  message?: string | null;
  requestId?: string | null;
  clientRequestId?: string | null;
  retryAfterMs?: number | null;
  outcome: string;
}

export async function startAttempt(sendId: string, operation: Operation): Promise<{ id: string; number: number }> {
  const [row] = await db().$queryRaw<{ attemptCount: number }[]>`
    UPDATE "Send" SET "attemptCount" = "attemptCount" + 1, "updatedAt" = now() WHERE id = ${sendId} RETURNING "attemptCount"`;
  const number = row?.attemptCount ?? 1;
  const a = await db().sendAttempt.create({ data: { sendId, number, operation, outcome: "pending" }, select: { id: true } });
  return { id: a.id, number };
}

export async function finishAttempt(id: string, f: AttemptFacts): Promise<void> {
  await db().sendAttempt.update({
    where: { id },
    data: {
      durationMs: f.durationMs,
      httpStatus: f.httpStatus ?? null,
      graphCode: f.graphCode ?? null,
      message: f.message ? f.message.slice(0, 1000) : null,
      requestId: f.requestId ?? null,
      clientRequestId: f.clientRequestId ?? null,
      retryAfterMs: f.retryAfterMs ?? null,
      outcome: f.outcome,
    },
  });
}

/** Throttled/unavailable/network tries so far (for the retry limit). */
export async function transientTries(sendId: string): Promise<number> {
  return db().sendAttempt.count({ where: { sendId, outcome: { in: ["throttled", "unavailable", "network"] } } });
}
