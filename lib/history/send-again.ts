import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { AppError, forbidden, notFound } from "../errors";
import { recordAudit } from "../audit/record";
import { queueSend } from "../sends/queue-send";
import { resendInput } from "../sends/resend-input";
import { isDeviceSend, resendDeviceMessage } from "../sends/resend-device";
import { SENDING_ROLES } from "../grants/may-send";
import { visibleSendsWhere } from "../sends/visibility";

/**
 * "Send again" for a failed send: the message copied into a new send through the one queueing path
 * (lib/sends/queue-send.ts), under the *current* person's grants and in the original mode — so a
 * delegated send can only be sent again by its own sender, and an application send only by someone
 * granted its mailbox today. A device's message (mode "smtp") goes again as that device, its stored MIME
 * copied (lib/sends/resend-device.ts); devices are the admins' to manage, so only an admin sends one
 * again. Nothing here calls Graph.
 */
export async function sendAgain(actor: SessionUser, sendId: string): Promise<{ id: string }> {
  if (!SENDING_ROLES.includes(actor.role)) throw forbidden("send a message again");
  const s = await db().send.findFirst({ where: { id: sendId, ...visibleSendsWhere(actor) } });
  if (!s) throw notFound("That send");
  if (s.status !== "failed") throw new AppError("NOT_FAILED", { userMessage: "Only failed sends can be sent again.", status: 409 });
  if (s.test) throw new AppError("TEST_SEND", { userMessage: "Restriction tests are run again from the setup wizard's Prove step.", status: 409 });
  if (isDeviceSend(s)) {
    if (actor.role !== "admin") throw forbidden("send a device's message again");
    if (s.body === null) throw new AppError("BODY_NOT_KEPT", { userMessage: "This tenant keeps metadata only: the device's message was not kept, so it cannot be sent again.", status: 409 });
    const copy = await resendDeviceMessage(s, "send-again");
    await recordAudit({ actor, action: "send.resent", target: copy.id, tenantId: s.tenantId, before: { sendId: s.id, errorCode: s.errorCode }, after: { sendId: copy.id } });
    return copy;
  }
  if (s.body === null) {
    throw new AppError("BODY_NOT_KEPT", { userMessage: "This tenant keeps metadata only: the message body was not stored, so it cannot be sent again.", status: 409 });
  }
  // The outbox deletes uploaded files once a send has ended (lib/outbox/finish-send.ts), so a copy
  // could never attach them: refuse plainly rather than queue a send that must fail.
  if (Array.isArray(s.attachments) && s.attachments.length > 0) {
    throw new AppError("ATTACHMENTS_NOT_KEPT", { userMessage: "Attachments are not kept after a send ends, so this message cannot be sent again. Compose it again with its files.", status: 409 });
  }
  const copy = await queueSend({ actor, ...resendInput(s) }, { origin: "send-again" });
  await recordAudit({ actor, action: "send.resent", target: copy.id, tenantId: s.tenantId, before: { sendId: s.id, errorCode: s.errorCode }, after: { sendId: copy.id } });
  return copy;
}
