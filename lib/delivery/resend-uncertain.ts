import "server-only";
import { recordAudit } from "../audit/record";
import type { SessionUser } from "../auth/session";
import { KEY_CALLER_SELECT, type ApiKeyCaller } from "../api-keys/authenticate-key";
import { db } from "../db";
import { AppError, forbidden, notFound } from "../errors";
import { queueSend } from "../sends/queue-send";
import { resendInput } from "../sends/resend-input";
import { isDeviceSend, resendDeviceMessage } from "../sends/resend-device";

/**
 * "Safe to send again": an admin's explicit decision on an uncertain send that message trace searched
 * for and did not find (poll-tenant.ts stored that evidence). The message is queued again through the
 * one queueing path, in the name of whoever first queued it, so grants and rules are asked as they are
 * now; the original keeps its history, points at the new send and leaves the list. Never automatic.
 */
export async function resendUncertain(actor: SessionUser, sendId: string): Promise<{ newId: string }> {
  if (actor.role !== "admin") throw forbidden("send an uncertain message again");
  const s = await db().send.findUnique({ where: { id: sendId } });
  if (!s) throw notFound("That send");
  const evidence = s.traceEvidence as { resolution?: string } | null;
  if (s.status !== "uncertain" || evidence?.resolution !== "not-found" || s.retriedAsId) {
    throw new AppError("NOT_SAFE_TO_RESEND", { userMessage: "This send is not waiting for a decision: only an uncertain send that message trace did not find may be sent again.", status: 409 });
  }
  if (s.body === null) throw new AppError("NOT_SAFE_TO_RESEND", { userMessage: "This tenant keeps metadata only: the body was not stored, so it cannot be sent again.", status: 409 });
  if (Array.isArray(s.attachments) && s.attachments.length > 0) throw new AppError("NOT_SAFE_TO_RESEND", { userMessage: "Attachments are not kept after a send ends: compose it again with its files.", status: 409 });
  // Claimed first, conditionally: two admins deciding at once queue it once.
  const claimed = await db().send.updateMany({ where: { id: s.id, status: "uncertain", retriedAsId: null, deadLetterResolution: null }, data: { deadLetterResolution: "resent", deadLetterResolvedAt: new Date(), deadLetterResolvedById: actor.id } });
  if (claimed.count === 0) throw new AppError("NOT_SAFE_TO_RESEND", { userMessage: "Another admin decided on this send meanwhile.", status: 409 });
  try {
    if (isDeviceSend(s)) {
      // A device's message goes again as that device, with the MIME the outbox kept (resend-device.ts).
      const { id: newId } = await resendDeviceMessage(s, "uncertain-resend");
      await db().send.update({ where: { id: s.id }, data: { retriedAsId: newId } });
      await recordAudit({ actor, action: "send.uncertain-resent", target: s.id, tenantId: s.tenantId, before: { status: "uncertain", evidence: s.traceEvidence ?? null }, after: { sendId: newId } });
      return { newId };
    }
    const sender = s.actorUserId ? await db().user.findUnique({ where: { id: s.actorUserId }, select: { id: true, name: true, email: true, role: true, tenantId: true } }) : null;
    const key = !sender && s.apiKeyId ? await db().apiKey.findUnique({ where: { id: s.apiKeyId }, select: KEY_CALLER_SELECT }) : null;
    let principal: { actor: NonNullable<typeof sender> } | { apiKey: ApiKeyCaller };
    if (sender) principal = { actor: sender };
    else if (key && !key.revokedAt && !(key.expiresAt && key.expiresAt <= new Date())) {
      const { revokedAt: _r, expiresAt: _e, ...apiKey } = key;
      principal = { apiKey };
    } else throw new AppError("NOT_SAFE_TO_RESEND", { userMessage: "The person or API key that queued it can no longer send, so nobody's grants allow sending it.", status: 409 });
    const { id: newId } = await queueSend({ ...principal, ...resendInput(s) }, { origin: "uncertain-resend" });
    await db().send.update({ where: { id: s.id }, data: { retriedAsId: newId } });
    await recordAudit({ actor, action: "send.uncertain-resent", target: s.id, tenantId: s.tenantId, before: { status: "uncertain", evidence: s.traceEvidence ?? null }, after: { sendId: newId } });
    return { newId };
  } catch (err) {
    await db().send.update({ where: { id: s.id }, data: { deadLetterResolution: null, deadLetterResolvedAt: null, deadLetterResolvedById: null } });
    throw err;
  }
}
