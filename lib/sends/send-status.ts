import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { notFound } from "../errors";
import { explainFailure, lastFailure, restrictionOf } from "./explain-failure";
import { seesAllSends } from "./visibility";
import type { SendStatusView } from "../schemas/compose";
import { readProgress } from "../outbox/progress";

/**
 * A send's status for the compose page's polling: its attempts, "retrying in N s", and — when it failed
 * or is uncertain — the plain-words explanation with the request-id for Microsoft support. People see
 * their own sends; admins and auditors any.
 */
export async function getSendStatus(actor: SessionUser, sendId: string): Promise<SendStatusView & { progress: { phase: string; uploadedBytes: number; totalBytes: number } | null }> {
  const s = await db().send.findUnique({
    where: { id: sendId },
    select: {
      id: true, status: true, actorUserId: true, fromAddress: true, nextAttemptAt: true, errorCode: true, errorMessage: true,
      tenant: { select: { wizardData: true } },
      attempts: { orderBy: { number: "asc" } },
    },
  });
  if (!s || (!seesAllSends(actor) && s.actorUserId !== actor.id)) throw notFound("That send");
  const facts = { ...s, restriction: restrictionOf(s.tenant.wizardData) };
  const explanation = explainFailure(facts);
  const failure = lastFailure(facts);
  const retryInSeconds = s.status === "retrying" && s.nextAttemptAt ? Math.max(0, Math.ceil((s.nextAttemptAt.getTime() - Date.now()) / 1000)) : null;
  return {
    id: s.id,
    status: s.status,
    retryInSeconds,
    errorCode: s.errorCode,
    explanation: explanation ? { title: explanation.title, detail: explanation.detail, action: explanation.action } : null,
    requestId: failure?.requestId ?? null,
    progress: s.status === "sending" ? await readProgress(s.id) : null,
    attempts: s.attempts.map((a) => ({
      number: a.number, operation: a.operation, startedAt: a.startedAt.toISOString(), durationMs: a.durationMs, httpStatus: a.httpStatus,
      graphCode: a.graphCode, message: a.message, requestId: a.requestId, clientRequestId: a.clientRequestId, retryAfterMs: a.retryAfterMs, outcome: a.outcome,
    })),
  };
}
