import { EXCHANGE_LIMITS, isEmail } from "./rules";

/**
 * What the compose form needs in the browser, without zod (lib/schemas/compose.ts re-exports it with the
 * server's schema): Graph's limits, the address list parser and the status view's shape.
 */
export const MAX_RECIPIENTS = EXCHANGE_LIMITS.recipientsPerMessage;
export const MAX_HEADERS = EXCHANGE_LIMITS.customHeaders;
export const MAX_ATTACHMENT_BYTES = EXCHANGE_LIMITS.maxAttachmentBytes;
/** Under this total, attachments travel inline in sendMail; otherwise a draft plus upload sessions. */
export const INLINE_TOTAL_LIMIT = EXCHANGE_LIMITS.inlineTotalBytes;
/** Exchange Online's default MaxSendSize, used when the mailbox's own limit is not known. */
export const DEFAULT_MAILBOX_LIMIT = EXCHANGE_LIMITS.defaultMailboxSendBytes;

export interface Address {
  address: string;
  name?: string;
}

/**
 * Splits a pasted list ("a@x.com; Bo <b@x.com>, c@x.com\n…") into addresses, keeping what does not
 * parse as `invalid` so the form can show it instead of dropping it.
 */
export function parseAddressList(text: string): { valid: Address[]; invalid: string[] } {
  const valid: Address[] = [];
  const invalid: string[] = [];
  // Split on , ; and newlines that are not inside a quoted display name.
  const parts: string[] = [];
  let cur = "";
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && (ch === "," || ch === ";" || ch === "\n" || ch === "\r")) {
      parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  parts.push(cur);
  for (const raw of parts) {
    const p = raw.trim();
    if (!p) continue;
    const m = /^(.*)<([^<>]+)>$/.exec(p);
    const address = (m ? m[2]! : p).trim().replace(/^mailto:/i, "");
    const name = m ? m[1]!.trim().replace(/^"(.*)"$/, "$1").trim() : undefined;
    if (isEmail(address)) valid.push(name ? { address, name } : { address });
    else invalid.push(p);
  }
  return { valid, invalid };
}

export function formatAddress(a: Address): string {
  return a.name ? `${a.name} <${a.address}>` : a.address;
}

/** What the status route answers; the compose page renders it. */
export interface SendStatusView {
  id: string;
  status: "queued" | "sending" | "retrying" | "accepted" | "failed" | "uncertain";
  retryInSeconds: number | null;
  errorCode: string | null;
  explanation: { title: string; detail: string; action: string } | null;
  requestId: string | null;
  attempts: {
    number: number;
    operation: string | null;
    startedAt: string;
    durationMs: number | null;
    httpStatus: number | null;
    graphCode: string | null;
    message: string | null;
    requestId: string | null;
    clientRequestId: string | null;
    retryAfterMs: number | null;
    outcome: string;
  }[];
}
