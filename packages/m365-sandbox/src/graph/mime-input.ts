/**
 * Messages sent or created in MIME format (graph/api/user-sendmail "Example 4: send a new message
 * using MIME format", graph/api/user-post-messages, graph/outlook-send-mime-message):
 * `Content-Type: text/plain` and the whole RFC 5322 message, base64-encoded, as the body.
 *
 * - Not base64 → 400 ErrorMimeContentInvalidBase64String "Invalid base64 string for MIME content."
 *   (documented: the MIME error example in graph/api/message-forward and message-replyall; user-sendmail
 *   names the message).
 * - The 4 MB request limit counts the base64 text as sent (body.ts).
 * - Base64 that decodes to something without a header section → 400 ErrorMimeContentInvalid — the
 *   status is documented ("MIME content does not contain all required information, malformed formatting,
 *   or empty." in graph/outlook-send-mime-message, error conditions), the code is UNCONFIRMED.
 * - No recipients → the same ErrorInvalidRecipients as JSON (observed for a MIME send without recipients:
 *   microsoftgraph/msgraph-sdk-java issue 831).
 *
 * - A From header whose display name contains "@" (`From: printer@domain.com <printer@domain.com>`, as old
 *   printers write it) → the send-as refusal, ErrorSendAsDenied, although the address is the mailbox's own
 *   (observed: github.com/SMTP2Graph/SMTP2Graph/issues/28, fixed there by sending `From: <printer@domain.com>`).
 *   Modelled on MIME sendMail; whether a draft created from such MIME fails at /send is unconfirmed and not modelled.
 *
 * The MIME is read with postal-mime (maintained parser) only to route and check the message: recipients,
 * From, subject, body, attachments and X- headers. The raw message itself is kept (blob store) and
 * delivered as it came, so headers, encodings and the multipart structure survive (graph/outlook-send-mime-message:
 * MIME sending is for content JSON cannot express, e.g. S/MIME). The 5-header limit of
 * internetMessageHeaders is a JSON-property rule; whether Exchange applies anything like it to MIME
 * headers is unconfirmed and the sandbox does not.
 */
import PostalMime, { type Email } from "postal-mime";
import { putBlob } from "../exchange/blobs";
import type { Address, MessageContent } from "../exchange/mail-state";
import { checkRecipientCount, isValidSmtpAddress, unresolved, type InlineAttachment } from "./message-input";
import { GraphHttpError } from "./pipeline";

const BASE64_TEXT = /^[A-Za-z0-9+/]*={0,2}$/;

export const INVALID_MIME_BASE64 = () => new GraphHttpError(400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.");

/** Content-Type text/plain on sendMail / messages means a base64 MIME body. */
export function isMimeRequest(contentType: string | undefined): boolean {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase() === "text/plain";
}

/** Decodes the base64 body (line breaks allowed, as base64 tools wrap lines) or throws the documented error. */
export function decodeMimeBody(body: Buffer): Buffer {
  const text = body.toString("latin1").replace(/[\r\n\t ]+/g, "");
  if (text.length === 0 || text.length % 4 !== 0 || !BASE64_TEXT.test(text)) throw INVALID_MIME_BASE64();
  return Buffer.from(text, "base64");
}

function flatten(list: Email["to"]): Address[] {
  const out: Address[] = [];
  for (const a of list ?? []) {
    const members = a.group ?? [a];
    for (const m of members) {
      if (!m.address || !isValidSmtpAddress(m.address)) throw unresolved(m.address ?? "");
      out.push({ address: m.address, ...(m.name ? { name: m.name } : {}) });
    }
  }
  return out;
}

/**
 * The raw message without its Bcc header (folded lines included): recipients must not see Bcc
 * addresses (RFC 5322 §3.6.3; Exchange's MIME writers "MUST NOT copy Bcc recipients to the MIME Bcc header"
 * for outbound SMTP: [MS-OXCMAIL] 2.1.3.1.1.2, learn.microsoft.com/openspecs/exchange_server_protocols/ms-oxcmail). The JSON view keeps Bcc on
 * the Bcc recipient's copy and in Sent Items, as for JSON sends.
 */
function withoutBcc(raw: Buffer): Buffer {
  const text = raw.toString("latin1");
  const m = /\r?\n\r?\n/.exec(text);
  if (!m) return raw;
  const head = text.slice(0, m.index).replace(/^bcc:.*(?:\r?\n[ \t].*)*(?:\r?\n|$)/gim, "");
  return Buffer.from(head + text.slice(m.index), "latin1");
}

export interface MimeMessage {
  content: MessageContent;
  attachments: InlineAttachment[];
  /** The raw From header has "@" in its display name (the text before "<"): see the comment at the top. */
  fromNameHasAt: boolean;
}

/** The raw From header (folded lines joined) of the header section. */
function rawFrom(raw: Buffer): string | null {
  const text = raw.toString("latin1");
  const end = /\r?\n\r?\n/.exec(text);
  const head = end ? text.slice(0, end.index) : text;
  const m = /^from:(.*(?:\r?\n[ \t].*)*)/im.exec(head);
  return m ? m[1]!.replace(/\r?\n[ \t]/g, " ") : null;
}

function displayNameHasAt(raw: Buffer): boolean {
  const from = rawFrom(raw);
  const lt = from?.lastIndexOf("<") ?? -1;
  return !!from && lt > 0 && from.slice(0, lt).includes("@");
}

export const SEND_AS_DENIED = () =>
  new GraphHttpError(
    403,
    "ErrorSendAsDenied",
    "The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account., Cannot submit message.",
  );

export async function parseMimeMessage(dataDir: string, raw: Buffer): Promise<MimeMessage> {
  // RFC 5322 §2.1: a message starts with header fields ("name:" with printable ASCII names); the body is optional.
  if (!/^[!-9;-~]+:/.test(raw.subarray(0, 200).toString("latin1"))) {
    throw new GraphHttpError(400, "ErrorMimeContentInvalid", "MIME content does not contain all required information, malformed formatting, or empty.");
  }
  let email: Email;
  try {
    email = await PostalMime.parse(raw, { attachmentEncoding: "arraybuffer" });
  } catch {
    throw new GraphHttpError(400, "ErrorMimeContentInvalid", "MIME content does not contain all required information, malformed formatting, or empty.");
  }
  const from = email.from && !email.from.group && email.from.address ? flatten([email.from])[0] : undefined;
  const headers = email.headers
    .filter((h) => /^x-/i.test(h.key))
    .map((h) => ({ name: h.originalKey, value: h.value }));
  const importanceHeader = email.headers.find((h) => h.key === "importance")?.value.trim().toLowerCase();
  const content: MessageContent = {
    subject: email.subject ?? "",
    body: email.html !== undefined ? { contentType: "html", content: email.html } : { contentType: "text", content: email.text ?? "" },
    to: flatten(email.to),
    cc: flatten(email.cc),
    bcc: flatten(email.bcc),
    replyTo: flatten(email.replyTo),
    importance: importanceHeader === "high" || importanceHeader === "low" ? importanceHeader : "normal",
    internetMessageHeaders: headers,
    ...(from ? { from } : {}),
    mime: putBlob(dataDir, withoutBcc(raw)),
  };
  checkRecipientCount(content);
  const attachments: InlineAttachment[] = email.attachments.map((a, n) => ({
    name: a.filename ?? `attachment-${n + 1}`,
    contentType: a.mimeType || "application/octet-stream",
    bytes: Buffer.from(a.content as ArrayBuffer),
    isInline: a.disposition === "inline" || !!a.related,
    ...(a.contentId ? { contentId: a.contentId.replace(/^<|>$/g, "") } : {}),
  }));
  return { content, attachments, fromNameHasAt: displayNameHasAt(raw) };
}
