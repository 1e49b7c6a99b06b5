/**
 * How big Exchange will find a message: it measures the message as MIME, after base64 encoding, against
 * the sender mailbox's MaxSendSize (35 MB by default, up to 150 MB:
 * learn.microsoft.com/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits#message-limits
 * — "the size of a message increases by about 33 % after encoding"). A 27 MB attachment is about 36.5 MB
 * on the wire, over the default limit, and Microsoft refuses it with ErrorMessageSizeExceeded, possibly
 * in the middle of the upload (github.com/microsoftgraph/microsoft-graph-docs-contrib/issues/2561).
 *
 * The one estimate used by the compose page (warning), queue-send (refusal) and the outbox worker
 * (refusal before any upload). Deliberately an upper bound: base64 with CRLF every 76 characters for the
 * body and every attachment (RFC 2045 §6.8), a MIME part header per attachment, and a generous header
 * block. Exchange's exact count is not published. Pure and browser-safe.
 */
export interface SizeInput {
  subject: string;
  body: string;
  /** Every recipient address (To, Cc, Bcc, Reply-To). */
  addresses: string[];
  headers: { name: string; value: string }[];
  attachments: { name: string; size: number }[];
}

/** Headers Exchange adds (Received, Message-ID, authentication results, …): a generous allowance. */
const HEADER_ALLOWANCE = 4 * 1024;
/** Content-Type / Content-Disposition / boundary lines of one MIME part, besides its file name. */
const PART_ALLOWANCE = 300;

const utf8 = (s: string) => new TextEncoder().encode(s).length;

/** Bytes of base64 for `n` raw bytes, with a CRLF after every 76 characters. */
export function base64WithLineBreaks(n: number): number {
  const chars = 4 * Math.ceil(n / 3);
  return chars + 2 * Math.ceil(chars / 76);
}

export function estimateEncodedSize(m: SizeInput): number {
  const head =
    HEADER_ALLOWANCE +
    utf8(m.subject) * 2 + // an encoded-word subject can double in size
    m.addresses.reduce((n, a) => n + utf8(a) + 8, 0) +
    m.headers.reduce((n, h) => n + utf8(h.name) + utf8(h.value) + 4, 0);
  const body = base64WithLineBreaks(utf8(m.body)) + PART_ALLOWANCE;
  const parts = m.attachments.reduce((n, a) => n + base64WithLineBreaks(a.size) + PART_ALLOWANCE + utf8(a.name) * 2, 0);
  return head + body + parts;
}

/** Megabytes as Exchange writes limits (35 MB = 35 × 1024 × 1024 bytes), one decimal. */
export function formatMB(bytes: number): string {
  return `${(Math.round((bytes / 1024 / 1024) * 10) / 10).toFixed(1).replace(/\.0$/, "")} MB`;
}

/** The sentence shown when the estimate is over the limit (compose, queue-send, the worker). */
export function overLimitMessage(estimate: number, limit: number, rawAttachments: number): string {
  return (
    `Encoded for sending, this message is about ${formatMB(estimate)} (${formatMB(rawAttachments)} of attachments grow by about a third in base64), ` +
    `over the sender mailbox's limit of ${formatMB(limit)}. Exchange counts the encoded size and refuses the message (ErrorMessageSizeExceeded). ` +
    `Send smaller or fewer attachments, or, if an Exchange admin raised this mailbox's MaxSendSize, raise the tenant's message size limit in Settings.`
  );
}
