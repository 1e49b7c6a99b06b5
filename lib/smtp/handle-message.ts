import "server-only";
import type { Readable } from "node:stream";
import { db } from "../db";
import { AppError } from "../errors";
import { loadDevicePrincipal, maySend } from "../grants/may-send";
import { queueSend } from "../sends/queue-send";
import { removeUpload, uploadOwnerOfDevice } from "../sends/upload-store";
import { logError } from "../log";
import type { RelayDevice } from "./authenticate-device";
import { envelopeRecipients, subjectLine, validAddresses } from "./envelope";
import { readHeaders, type MessageHeaders } from "./read-headers";
import { receiveMessage } from "./receive-message";
import { reply, replyFor } from "./replies";

/**
 * One message from a device, from DATA to the outbox: stored as received (receive-message.ts), its
 * headers read, its sender decided, its recipients taken from the envelope (envelope.ts), and queued
 * through the one queueing path (lib/sends/queue-send.ts: mode "smtp", the device as principal, the
 * message as `mime`). Returns once the Send has committed — only then does the relay say 250; on any
 * failure the stored message is removed and the device gets the reply that failure means (replies.ts).
 *
 * The sender: the From header (else MAIL FROM) when the device is granted that mailbox. Otherwise a
 * device whose From policy is "rewrite" sends from its default mailbox with the original From kept as
 * Reply-To (unless the message names its own Reply-To); one whose policy is "reject" is refused by
 * queueSend (550 5.7.1, audited as send.refused).
 */
export interface Envelope {
  mailFrom: string | null;
  rcptTo: string[];
}

const mb = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MB`;

async function grantedSender(device: RelayDevice, from: string): Promise<boolean> {
  const tenant = await db().tenant.findUnique({ where: { id: device.tenantId }, select: { id: true, name: true, clientId: true, useApplication: true, useDelegated: true } });
  if (!tenant) return false;
  const refusal = await maySend({ actor: null, device: await loadDevicePrincipal(device.id), tenant, mode: "smtp", from });
  // Only a refusal of this mailbox counts here; any other (a revoked device, tenant setup) queueSend reports.
  return !refusal || (refusal.code !== "NOT_GRANTED" && refusal.code !== "MAILBOX_NOT_LISTED");
}

export async function decideSender(device: RelayDevice, headers: MessageHeaders, envelope: Envelope): Promise<{ from: string; replyTo: string[] }> {
  const original = validAddresses(headers.from)[0] ?? validAddresses(envelope.mailFrom ? [envelope.mailFrom] : [])[0] ?? null;
  const replyTo = validAddresses(headers.replyTo);
  const mayRewrite = device.fromPolicy === "rewrite" && !!device.defaultFrom;
  // Only a device that may fall back to its default mailbox needs to know now whether the From is
  // granted; for the others queueSend's own check (the one queueing path) decides, once.
  if (original && (!mayRewrite || (await grantedSender(device, original)))) return { from: original, replyTo };
  if (mayRewrite && device.defaultFrom) {
    return { from: device.defaultFrom.toLowerCase(), replyTo: replyTo.length ? replyTo : original ? [original] : [] };
  }
  if (!original) throw reply(550, "5.7.1", "The message has no From address this device may send as, and the device has no default mailbox");
  // Refused by queueSend, with its reason and an audit event.
  return { from: original, replyTo };
}

export async function handleMessage(data: Readable, m: { device: RelayDevice; envelope: Envelope; relayMaxBytes: number }): Promise<{ sendId: string }> {
  const { device } = m;
  const maxBytes = Math.min(device.maxMessageBytes ?? m.relayMaxBytes, m.relayMaxBytes);
  let received: Awaited<ReturnType<typeof receiveMessage>>;
  try {
    received = await receiveMessage(data, { ownerId: uploadOwnerOfDevice(device.id), maxBytes, declaredBytes: maxBytes });
  } catch (err) {
    if (err instanceof AppError && err.code === "UPLOAD_TOO_LARGE") throw reply(552, "5.3.4", `The message is larger than ${mb(maxBytes)}, the most this device may send`);
    if (!(err instanceof AppError)) logError(`smtp: could not store a message of device ${device.id}`, err);
    throw replyFor(err);
  }
  const { upload, header } = received;
  try {
    const headers = await readHeaders(header).catch((): MessageHeaders => ({ from: [], to: [], cc: [], replyTo: [], subject: undefined }));
    const { from, replyTo } = await decideSender(device, headers, m.envelope);
    const { to, cc, bcc } = envelopeRecipients(m.envelope.rcptTo, headers.to, headers.cc);
    const send = await queueSend(
      { device: { id: device.id, name: device.name, tenantId: device.tenantId }, from, to, cc, bcc, replyTo, subject: subjectLine(headers.subject), saveToSent: device.saveToSent },
      { origin: "smtp", mime: { uploadId: upload.id, bytes: upload.size } },
    );
    return { sendId: send.id };
  } catch (err) {
    await removeUpload(upload.id).catch(() => undefined);
    if (!(err instanceof AppError) && !(err instanceof Error && err.name === "SmtpReply")) logError(`smtp: could not queue a message of device ${device.id}`, err);
    throw replyFor(err);
  }
}
