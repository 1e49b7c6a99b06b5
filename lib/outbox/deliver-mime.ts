import "server-only";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import { env } from "../env";
import { readUpload, uploadSource } from "../sends/upload-store";
import { fileSource } from "../uploads/source";
import { overLimitMessage } from "../sends/encoded-size";
import { rewriteMime } from "../smtp/mime/rewrite-mime";
import { parseToFiles } from "../smtp/mime/parse-to-files";
import type { StoredMessage } from "../graph/send-message";
import { classify, logged, type Ctx, type Delivery } from "./graph-steps";
import { base64Length, deliverMessage, MAX_REQUEST_BYTES, type DeliverOptions } from "./deliver-message";

/**
 * A device's message (mode "smtp": the relay stored the DATA it received in the upload store,
 * Send.mimeUploadId) delivered to Graph as faithfully as Graph allows. The Send row is the truth for
 * From, To/Cc/Bcc (derived from the SMTP envelope), Reply-To and Sent Items.
 *
 * 1. The stored MIME is streamed to a working copy with the targeted fixes only (lib/smtp/mime): the
 *    envelope headers (Bcc for RCPT-only recipients, header recipients outside the envelope dropped, From
 *    filled or normalised, Reply-To) and quoted-printable text re-encoded as base64.
 * 2. If the copy's base64 fits Graph's request limit (MAX_REQUEST_BYTES, measured as sent) and the device
 *    keeps copies in Sent Items: one MIME sendMail — `Content-Type: text/plain`, the base64 message as the
 *    body (learn.microsoft.com/graph/api/user-sendmail, "send a new message using MIME format"). Headers,
 *    encodings, inline images and multipart layouts go to Exchange as the device wrote them.
 * 3. Otherwise the copy is parsed (mailparser; attachments streamed to files) and sent through the same
 *    path as composed mail (deliver-message.ts): JSON sendMail when it fits, else draft + upload sessions.
 *    - Sent Items off: MIME sendMail takes no parameters, so it always saves a copy (the docs say so:
 *      "This method saves the message in the Sent Items folder", user-sendmail; no saveToSentItems for
 *      MIME: microsoftgraph/microsoft-graph-docs issue 18698). Only JSON sendMail's saveToSentItems: false
 *      honours the device's choice, so such a device's message goes as JSON (its X- headers kept, up to 5).
 *    - Over the limit: the draft path, whose /send always saves to Sent Items (graph/api/message-send);
 *      the device's Sent Items choice cannot be honoured there (msgraph-sdk-dotnet issue 743).
 *
 * Every Graph call is a logged SendAttempt; outcomes are classified as for every send (graph-steps.ts):
 * throttling and outages are retried, a possibly sent message is `uncertain` and never resent, a
 * permanent refusal fails the send (History shows it, with its explanation).
 */
export type MimeSend = StoredMessage & { saveToSent: boolean; fromAddress: string; mimeUploadId: string };

function workRoot(): string {
  return path.resolve(env().PORTAL_DATA_DIR, "mime-work");
}

/** Working copies left by a crashed try are removed after a day (they are only needed during a try). */
async function sweepWork(root: string): Promise<void> {
  const names = await readdir(root).catch(() => [] as string[]);
  for (const n of names) {
    const p = path.join(root, n);
    const st = await stat(p).catch(() => null);
    if (st && Date.now() - st.mtimeMs > 24 * 3600_000) await rm(p, { recursive: true, force: true });
  }
}

export async function deliverMime(c: Ctx, s: MimeSend, o: DeliverOptions): Promise<Delivery> {
  // uploadSource refuses anything but an upload id; the bytes are in the shared upload store.
  const meta = await readUpload(s.mimeUploadId).catch(() => null);
  if (!meta) {
    return { kind: "failed", code: "MIME_MISSING", message: "The device's message is no longer on the portal (it was removed after an earlier try); the device has to send it again." };
  }
  const st = { size: meta.size };
  // The stored MIME is already encoded: its size is what Exchange measures against MaxSendSize.
  if (st.size > o.maxSendSizeBytes) return { kind: "failed", code: "MESSAGE_TOO_LARGE", message: overLimitMessage(st.size, o.maxSendSizeBytes, st.size) };

  const root = workRoot();
  await mkdir(root, { recursive: true });
  await sweepWork(root);
  const work = await mkdtemp(path.join(root, "send-"));
  try {
    const copy = path.join(work, "message.eml");
    const r = await rewriteMime(uploadSource(meta.id).open(), createWriteStream(copy, { mode: 0o600 }), {
      from: s.fromAddress, to: s.toAddresses, cc: s.ccAddresses, bcc: s.bccAddresses, replyTo: s.replyToAddresses, reencodeQuotedPrintable: true,
    });
    const note = `The device's MIME message (${r.bytes} bytes)${r.fixes.length ? `, fixed: ${r.fixes.join(", ")}` : ", unchanged"}.`;
    if (s.saveToSent && base64Length(r.bytes) < MAX_REQUEST_BYTES) {
      const body = (await readFile(copy)).toString("base64");
      const sent = await logged(c, "sendMail", "POST", `${c.base}/sendMail`, body, { contentType: "text/plain", note });
      return sent.ok ? { kind: "accepted" } : classify("sendMail", sent, c.timeoutMs);
    }
    const parsed = await parseToFiles(copy, work);
    const message: StoredMessage & { saveToSent: boolean } = {
      subject: parsed.subject, bodyType: parsed.bodyType, body: parsed.body, importance: parsed.importance, headers: parsed.headers,
      toAddresses: s.toAddresses, ccAddresses: s.ccAddresses, bccAddresses: s.bccAddresses,
      replyToAddresses: s.replyToAddresses.length ? s.replyToAddresses : parsed.replyTo,
      saveToSent: s.saveToSent,
    };
    return await deliverMessage(c, message, parsed.attachments.map((a) => ({ ...a, source: fileSource(a.path) })), o);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
