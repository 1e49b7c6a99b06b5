import "server-only";
import type { Client } from "@microsoft/microsoft-graph-client";
import type { StoredMessage } from "../graph/send-message";
import { readUpload, uploadSource } from "../sends/upload-store";
import type { AttachmentRecord } from "../sends/queue-send";
import { estimateEncodedSize, overLimitMessage } from "../sends/encoded-size";
import { DEFAULT_MAILBOX_LIMIT } from "../schemas/compose";
import type { Ctx, Delivery } from "./graph-steps";
import { deliverMessage, type AttachmentFile, type DeliverOptions } from "./deliver-message";
import { deliverMime } from "./deliver-mime";

export type { Delivery } from "./graph-steps";
export type { DeliverOptions } from "./deliver-message";

async function files(list: AttachmentRecord[]): Promise<AttachmentFile[] | string> {
  const out: AttachmentFile[] = [];
  for (const a of list) {
    const meta = await readUpload(a.id).catch(() => null);
    if (!meta || meta.size !== a.size) return `The attachment "${a.name}" is no longer on the portal (it was removed after an earlier send). Attach it again in a new message.`;
    out.push({ ...a, source: uploadSource(a.id) });
  }
  return out;
}

export type DeliverableSend = StoredMessage & { attachments: unknown; saveToSent: boolean; fromAddress: string; mimeUploadId?: string | null; deviceId?: string | null };

/**
 * One try of a claimed send: a device's message (mode "smtp", stored as MIME) goes through
 * deliver-mime.ts; every other send is checked here (its attachments still in the upload store, the encoded size
 * under the mailbox's limit) and handed to deliver-message.ts, which makes the Graph calls.
 */
export async function deliver(sendId: string, lease: string, s: DeliverableSend, client: Client, base: string, timeoutMs: number, o: DeliverOptions = { leaseMs: 120_000, maxSendSizeBytes: DEFAULT_MAILBOX_LIMIT }): Promise<Delivery> {
  const c: Ctx = { sendId, lease, client, base, timeoutMs };
  // A device's message (mode "smtp", lib/smtp): delivered from its stored MIME.
  if (s.mimeUploadId) return deliverMime(c, { ...s, mimeUploadId: s.mimeUploadId }, o);
  const list = await files((Array.isArray(s.attachments) ? s.attachments : []) as AttachmentRecord[]);
  if (typeof list === "string") return { kind: "failed", code: "ATTACHMENT_MISSING", message: list };
  // The same estimate queue-send refused on: a limit lowered since, or a send queued before the check, stops here.
  const estimate = estimateEncodedSize({
    subject: s.subject, body: s.body ?? "", headers: Array.isArray(s.headers) ? (s.headers as { name: string; value: string }[]) : [],
    addresses: [...s.toAddresses, ...s.ccAddresses, ...s.bccAddresses, ...s.replyToAddresses], attachments: list,
  });
  if (estimate > o.maxSendSizeBytes) {
    return { kind: "failed", code: "MESSAGE_TOO_LARGE", message: overLimitMessage(estimate, o.maxSendSizeBytes, list.reduce((n, a) => n + a.size, 0)) };
  }
  return deliverMessage(c, s, list, o);
}

