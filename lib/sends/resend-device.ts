import "server-only";
import { db } from "../db";
import { AppError } from "../errors";
import { queueSend } from "./queue-send";
import type { StoredSend } from "./resend-input";
import { readUpload, removeUpload, saveUpload, uploadOwnerOfDevice, uploadSource } from "./upload-store";

/**
 * A device's message (mode "smtp") queued again — "Send again" in History, a dead letter's retry, an
 * uncertain send an admin decided to send again. The outbox keeps the MIME the relay stored for a send
 * that ended failed or uncertain (lib/outbox/finish-send.ts) until it is sent again, discarded or purged
 * by retention; this queues a copy of it as a new send of the same device, through the one queueing
 * path, so the device's grants (and whether it is revoked) are asked as they are now. The copy is the new
 * send's own (streamed, never read into memory); the original's MIME is removed once the copy is queued,
 * so a message is only ever stored for one open decision.
 */
export interface StoredDeviceSend extends Pick<StoredSend, "fromAddress" | "toAddresses" | "ccAddresses" | "bccAddresses" | "replyToAddresses" | "subject" | "saveToSent"> {
  id: string;
  deviceId: string | null;
  mimeUploadId: string | null;
}

export const isDeviceSend = (s: { deviceId: string | null; mimeUploadId: string | null }): boolean => !!s.deviceId || !!s.mimeUploadId;

const notKept = (why: string) => new AppError("MIME_NOT_KEPT", { userMessage: why, status: 409 });

export async function resendDeviceMessage(s: StoredDeviceSend, origin: string): Promise<{ id: string }> {
  if (!s.deviceId) throw notKept("The device that sent this message was removed, so nobody's grants allow sending it again.");
  const device = await db().device.findUnique({ where: { id: s.deviceId }, select: { id: true, name: true, tenantId: true } });
  if (!device) throw notKept("The device that sent this message was removed, so nobody's grants allow sending it again.");
  const stored = s.mimeUploadId ? await readUpload(s.mimeUploadId).catch(() => null) : null;
  if (!stored) throw notKept("The device's message is no longer stored on the portal (it was sent, discarded or purged); the device has to send it again.");
  // The device's upload quota does not count a message once it belongs to a send (upload-quota.ts).
  const copy = await saveUpload({ ownerId: uploadOwnerOfDevice(device.id), name: "message.eml", contentType: "message/rfc822", body: uploadSource(stored.id).open(), declaredBytes: stored.size, maxBytes: Math.max(stored.size, 1) });
  let queued: { id: string };
  try {
    queued = await queueSend(
      { device, from: s.fromAddress, to: s.toAddresses, cc: s.ccAddresses, bcc: s.bccAddresses, replyTo: s.replyToAddresses, subject: s.subject, saveToSent: s.saveToSent },
      { origin, mime: { uploadId: copy.id, bytes: copy.size } },
    );
  } catch (err) {
    await removeUpload(copy.id).catch(() => undefined);
    throw err;
  }
  await removeUpload(s.mimeUploadId!).catch(() => undefined);
  return queued;
}
