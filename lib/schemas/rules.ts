/**
 * The rules the browser needs, without zod (lib/schemas/common.ts re-exports them next to the zod schemas):
 * Compose imports these on its first load, and zod alone would add about 60 KB gzip to it (issue 15).
 */

// U+0000 and unpaired UTF-16 surrogates: PostgreSQL refuses NUL in text and a lone surrogate escape in
// json/jsonb (https://www.postgresql.org/docs/current/datatype-json.html), so such a value would fail the
// write with a server error. No form or API value needs either.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether a string can be stored as PostgreSQL text and JSON: no NUL, no unpaired surrogate. */
export const isStorableText = (v: string): boolean => !UNSTORABLE.test(v);

export const UNSTORABLE_MESSAGE = "This contains characters that cannot be stored (a NUL character or half of an emoji); remove them";

/**
 * An email address as the portal accepts it anywhere: one `local@domain.tld`, at most 254 characters
 * (RFC 5321's path limit), no spaces, control characters (NUL, ESC, DEL, C1 — PostgreSQL text cannot
 * even store NUL), angle brackets, double quotes, commas, semicolons, colons or brackets — the
 * characters that would let one field carry a second address or a header. An apostrophe is a legal
 * local-part character (o'brien@…): generated scripts quote it (lib/powershell/quote.ts).
 */
const EMAIL = /^[^\s\u0000-\u001f\u007f-\u009f@<>()[\]\\,;:"]+@[^\s\u0000-\u001f\u007f-\u009f@<>()[\]\\,;:"]+\.[^\s\u0000-\u001f\u007f-\u009f@<>()[\]\\,;:"]+$/;

export function isEmail(v: string): boolean {
  // An unpaired surrogate (possible in JSON, never in a form post) would fail the database query that looks the address up.
  return v.length <= 254 && EMAIL.test(v) && isStorableText(v);
}

/**
 * Exchange Online's limits as Microsoft documents them: Graph sendMail and Outlook throttling
 * (learn.microsoft.com/graph/throttling-limits#outlook-service-limits: 4 concurrent requests per
 * mailbox), Exchange Online sending limits (learn.microsoft.com/office365/servicedescriptions/
 * exchange-online-service-description/exchange-online-limits: 30 messages a minute, 10,000 recipients a
 * day, 500 recipients a message, 150 MB maximum and 35 MB default message size) and the 3 MB line for
 * inline attachments (learn.microsoft.com/graph/outlook-large-attachments).
 */
export const EXCHANGE_LIMITS = {
  messagesPerMinute: 30,
  concurrentRequests: 4,
  recipientsPerDay: 10_000,
  recipientsPerMessage: 500,
  customHeaders: 5,
  maxAttachmentBytes: 150 * 1024 * 1024,
  defaultMailboxSendBytes: 35 * 1024 * 1024,
  inlineTotalBytes: 3 * 1024 * 1024,
} as const;
