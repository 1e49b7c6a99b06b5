import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { notFound } from "../errors";
import { explainError } from "../graph/explain";
import type { SendStatusView } from "../schemas/compose";
import { progressMap } from "../outbox/progress";

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
  if (!s || (actor.role === "sender" && s.actorUserId !== actor.id)) throw notFound("That send");
  const lastFailure = [...s.attempts].reverse().find((a) => a.outcome !== "pending" && !["accepted", "created", "uploaded", "deleted"].includes(a.outcome));
  const restriction = (s.tenant.wizardData as { restriction?: { groupAddress?: string } } | null)?.restriction?.groupAddress ?? null;
  let explanation: SendStatusView["explanation"] = null;
  if (s.status === "uncertain") {
    explanation = {
      title: "No answer from Microsoft: the message may have been sent",
      detail: s.errorMessage ?? "The request reached Microsoft but no answer came back in time.",
      action: "The portal never resends it automatically. Check the recipients' mailboxes or the sender's Sent Items before sending again.",
    };
  } else if ((s.status === "failed" || s.status === "retrying") && (lastFailure || s.errorCode)) {
    const code = lastFailure?.graphCode ?? s.errorCode;
    const aadsts = /^AADSTS(\d+)$/.exec(code ?? "")?.[1];
    const x = explainError({
      httpStatus: lastFailure?.httpStatus ?? null,
      graphCode: aadsts || code === "invalid_grant" ? null : code,
      aadsts: aadsts ? Number(aadsts) : null,
      oauthError: code === "invalid_grant" ? "invalid_grant" : null,
      message: lastFailure?.message ?? s.errorMessage,
      sender: s.fromAddress,
      restriction,
      retryAfterSeconds: lastFailure?.retryAfterMs ? Math.ceil(lastFailure.retryAfterMs / 1000) : null,
    });
    // Failures the portal itself detects (a missing attachment, a refused token) already read as words.
    const generic = x.title === "Microsoft refused the request" && !lastFailure?.httpStatus;
    explanation = generic ? { title: "The message was not sent", detail: s.errorMessage ?? x.detail, action: x.action } : { title: x.title, detail: x.detail, action: x.action };
  }
  const retryInSeconds = s.status === "retrying" && s.nextAttemptAt ? Math.max(0, Math.ceil((s.nextAttemptAt.getTime() - Date.now()) / 1000)) : null;
  return {
    id: s.id,
    status: s.status,
    retryInSeconds,
    errorCode: s.errorCode,
    explanation,
    requestId: lastFailure?.requestId ?? null,
    progress: progressMap().get(s.id) ?? null,
    attempts: s.attempts.map((a) => ({
      number: a.number, operation: a.operation, startedAt: a.startedAt.toISOString(), durationMs: a.durationMs, httpStatus: a.httpStatus,
      graphCode: a.graphCode, message: a.message, requestId: a.requestId, clientRequestId: a.clientRequestId, retryAfterMs: a.retryAfterMs, outcome: a.outcome,
    })),
  };
}
