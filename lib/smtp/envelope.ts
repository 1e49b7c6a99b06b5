import { isEmail } from "../schemas/common";

/**
 * Who receives a device's message (browser-safe, pure). Graph has no envelope: it sends to the To, Cc
 * and Bcc of the message it is given. An SMTP server, on the other hand, delivers to the envelope (RCPT
 * TO, RFC 5321 §3.3) and ignores the headers — the mismatch behind the most reported defect of
 * SMTP-to-Graph relays (recipients given only in RCPT TO, i.e. Bcc, silently lost). So the envelope
 * decides, as a mail server would:
 *  - to / cc: the header To / Cc addresses the device also gave in RCPT TO;
 *  - bcc: every RCPT TO address that is in neither header (a Bcc-only message has only these);
 *  - a header address the device did not give in RCPT TO receives nothing.
 * Addresses compare case-insensitively and come back lower-cased, each once.
 */
export function envelopeRecipients(rcptTo: readonly string[], headerTo: readonly string[], headerCc: readonly string[]): { to: string[]; cc: string[]; bcc: string[] } {
  const envelope = [...new Set(rcptTo.map((a) => a.trim().toLowerCase()))];
  const inEnvelope = new Set(envelope);
  const to = [...new Set(headerTo.map((a) => a.trim().toLowerCase()))].filter((a) => inEnvelope.has(a));
  const toSet = new Set(to);
  const cc = [...new Set(headerCc.map((a) => a.trim().toLowerCase()))].filter((a) => inEnvelope.has(a) && !toSet.has(a));
  const named = new Set([...to, ...cc]);
  return { to, cc, bcc: envelope.filter((a) => !named.has(a)) };
}

/** The subject as History shows it: one line, storable, at most 255 characters (the message keeps its own). */
export function subjectLine(subject: string | undefined | null): string {
  const line = (subject ?? "")
    .replace(/[\u0000-\u001f\u007f]+/g, " ")
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "")
    .trim();
  return line.length > 255 ? `${line.slice(0, 254)}…` : line;
}

/** Valid addresses only, lower-cased, each once (Reply-To, From candidates). */
export const validAddresses = (list: readonly string[]): string[] => [...new Set(list.map((a) => a.trim().toLowerCase()).filter(isEmail))];
