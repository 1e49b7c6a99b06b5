/**
 * Reads a Graph message resource (graph/api/resources/message) into MessageContent and checks it
 * the way Outlook does (GRAPH-FACTS §1, §3): malformed recipients → 400 ErrorInvalidRecipients,
 * more than 500 recipients → 400 ErrorInvalidRecipients (code unconfirmed: Exchange's limit is
 * documented, the Graph error for it is not), internetMessageHeaders names must start with x-/X-
 * (400 InvalidInternetMessageHeader) and there may be at most 5 (400
 * InvalidInternetMessageHeaderCollection). Attachments: fileAttachment with base64 contentBytes.
 */
import type { Address, MessageContent } from "../exchange/mail-state";
import { checkObject } from "./csdl-check";
import { GraphHttpError } from "./pipeline";

export const MAX_RECIPIENTS = 500;
export const MAX_CUSTOM_HEADERS = 5;

export interface InlineAttachment {
  name: string;
  contentType: string;
  bytes: Buffer;
  isInline: boolean;
  contentId?: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
const bad = (message: string) => new GraphHttpError(400, "ErrorInvalidRequest", message);

/** Graph property names are case-insensitive in request bodies. */
function prop(o: Record<string, unknown>, name: string): unknown {
  if (name in o) return o[name];
  const k = Object.keys(o).find((x) => x.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : o[k];
}

/** An SMTP address Exchange can resolve: one local part, one domain, no spaces or list separators. */
export function isValidSmtpAddress(a: string): boolean {
  return a.length <= 320 && /^[^\s@<>()\[\]\\,;:"]+@[^\s@<>()\[\]\\,;:"]+$/.test(a) && !a.startsWith(".") && !a.includes("..");
}

export function unresolved(address: string): GraphHttpError {
  return new GraphHttpError(
    400,
    "ErrorInvalidRecipients",
    `At least one recipient isn't valid., Recipient '${address}' isn't resolved. All recipients must be resolved before a message can be submitted.`,
  );
}

export const NO_RECIPIENTS = () =>
  new GraphHttpError(400, "ErrorInvalidRecipients", "At least one recipient isn't valid., A message can't be sent because it contains no recipients.");

function recipients(v: unknown, field: string): Address[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw bad(`Property '${field}' must be a collection of recipients.`);
  return v.map((r) => {
    const ea = isObj(r) ? prop(r, "emailAddress") : undefined;
    const address = isObj(ea) ? prop(ea, "address") : undefined;
    const name = isObj(ea) ? prop(ea, "name") : undefined;
    if (typeof address !== "string" || !isValidSmtpAddress(address.trim())) throw unresolved(typeof address === "string" ? address : "");
    return { address: address.trim(), ...(typeof name === "string" && name ? { name } : {}) };
  });
}

function oneRecipient(v: unknown, field: string): Address | undefined {
  if (v === undefined || v === null) return undefined;
  return recipients([v], field)[0];
}

function headers(v: unknown): { name: string; value: string }[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw bad("Property 'internetMessageHeaders' must be a collection.");
  const out = v.map((h) => {
    const name = isObj(h) ? prop(h, "name") : undefined;
    const value = isObj(h) ? prop(h, "value") : undefined;
    if (typeof name !== "string" || typeof value !== "string") throw bad("Each internetMessageHeader needs a name and a value.");
    if (!/^x-/i.test(name)) {
      throw new GraphHttpError(400, "InvalidInternetMessageHeader", `The internet message header name '${name}' should start with 'x-' or 'X-'.`);
    }
    return { name, value };
  });
  if (out.length > MAX_CUSTOM_HEADERS) {
    throw new GraphHttpError(400, "InvalidInternetMessageHeaderCollection", "Maximum number of headers in one message should be less than or equal to 5.");
  }
  return out;
}

/** An attachment as POSTed (graph/api/message-post-attachments) or inside a message; types checked against the CSDL first. */
export function parseAttachment(a: unknown): InlineAttachment {
  const type = checkObject(a, "attachment");
  if (!isObj(a)) throw bad("An attachment must be an object.");
  if (type !== "fileAttachment") {
    // A sandbox limitation, not Graph's: itemAttachment and referenceAttachment are valid on Graph.
    throw bad(`The sandbox supports only #microsoft.graph.fileAttachment, not '#microsoft.graph.${type}'.`);
  }
  const name = prop(a, "name");
  const content = prop(a, "contentBytes");
  if (typeof name !== "string" || !name) throw bad("A file attachment needs a name.");
  if (typeof content !== "string" || !/^[A-Za-z0-9+/=\s_-]*$/.test(content)) throw bad(`The contentBytes of '${name}' is not valid base64.`);
  const contentType = prop(a, "contentType");
  const contentId = prop(a, "contentId");
  return {
    name,
    contentType: typeof contentType === "string" && contentType ? contentType : "application/octet-stream",
    bytes: Buffer.from(content, "base64"),
    isInline: prop(a, "isInline") === true,
    ...(typeof contentId === "string" && contentId ? { contentId } : {}),
  };
}

export function parseMessage(v: unknown): { content: MessageContent; attachments: InlineAttachment[] } {
  if (!isObj(v)) throw bad("The message is missing or is not an object.");
  checkObject(v, "message");
  const body = prop(v, "body");
  const bodyType = isObj(body) ? String(prop(body, "contentType") ?? "text").toLowerCase() : "text";
  if (bodyType !== "text" && bodyType !== "html") throw bad(`Invalid body contentType '${bodyType}'.`);
  const importance = String(prop(v, "importance") ?? "normal").toLowerCase();
  if (!["low", "normal", "high"].includes(importance)) throw bad(`Invalid importance '${importance}'.`);
  const subject = prop(v, "subject");
  const from = oneRecipient(prop(v, "from"), "from") ?? oneRecipient(prop(v, "sender"), "sender");
  const content: MessageContent = {
    subject: typeof subject === "string" ? subject : "",
    body: { contentType: bodyType, content: isObj(body) && typeof prop(body, "content") === "string" ? String(prop(body, "content")) : "" },
    to: recipients(prop(v, "toRecipients"), "toRecipients"),
    cc: recipients(prop(v, "ccRecipients"), "ccRecipients"),
    bcc: recipients(prop(v, "bccRecipients"), "bccRecipients"),
    replyTo: recipients(prop(v, "replyTo"), "replyTo"),
    importance: importance as MessageContent["importance"],
    internetMessageHeaders: headers(prop(v, "internetMessageHeaders")),
    ...(from ? { from } : {}),
  };
  checkRecipientCount(content);
  const atts = prop(v, "attachments");
  if (atts !== undefined && atts !== null && !Array.isArray(atts)) throw bad("Property 'attachments' must be a collection.");
  return { content, attachments: (Array.isArray(atts) ? atts : []).map(parseAttachment) };
}

export function checkRecipientCount(c: MessageContent): void {
  const n = c.to.length + c.cc.length + c.bcc.length;
  if (n > MAX_RECIPIENTS) {
    throw new GraphHttpError(400, "ErrorInvalidRecipients", `At least one recipient isn't valid., The message has ${n} recipients; the maximum is ${MAX_RECIPIENTS}.`);
  }
}

/** Characters of base64 for `n` bytes with a CRLF after every 76 (RFC 2045 §6.8), as MIME carries attachments. */
export const base64Size = (n: number): number => {
  const chars = 4 * Math.ceil(n / 3);
  return chars + 2 * Math.ceil(chars / 76);
};

/** A MIME part's own header lines (Content-Type, Content-Disposition with the name, boundary): an estimate. */
const PART_HEADER_BYTES = 200;
/** Header lines Exchange adds to every message (Message-ID, Date, MIME-Version, …): an estimate. */
const MESSAGE_HEADER_BYTES = 2048;

/**
 * Bytes Exchange compares with MaxSendSize: the message as MIME, attachments base64-encoded — "about 33 %"
 * over the raw bytes (exchange-online-limits, "Message limits"; observed ErrorMessageSizeExceeded in the
 * middle of an upload: github.com/microsoftgraph/microsoft-graph-docs-contrib/issues/2561). Exchange's
 * exact arithmetic is unconfirmed: the sandbox counts base64 with line breaks for the body and each
 * attachment plus the headers, a little under what a careful client should estimate.
 */
export function messageSize(c: MessageContent, attachmentSizes: number[]): number {
  const headerBytes = c.internetMessageHeaders.reduce((s, h) => s + h.name.length + h.value.length + 4, 0);
  const addressBytes = [...c.to, ...c.cc, ...c.bcc, ...c.replyTo].reduce((s, a) => s + Buffer.byteLength(a.address) + 4, 0);
  return (
    MESSAGE_HEADER_BYTES + Buffer.byteLength(c.subject) + headerBytes + addressBytes +
    base64Size(Buffer.byteLength(c.body.content)) +
    attachmentSizes.reduce((s, n) => s + base64Size(n) + PART_HEADER_BYTES, 0)
  );
}

/** Raw bytes of the message (no encoding): what createUploadSession compares with MaxSendSize (unconfirmed). */
export function rawMessageSize(c: MessageContent, attachmentSizes: number[]): number {
  return Buffer.byteLength(c.subject) + Buffer.byteLength(c.body.content) + attachmentSizes.reduce((s, n) => s + n, 0);
}

export const SIZE_EXCEEDED = () => new GraphHttpError(400, "ErrorMessageSizeExceeded", "The message exceeds the maximum supported size.");
