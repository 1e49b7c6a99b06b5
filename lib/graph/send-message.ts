import "server-only";

/**
 * The Graph message JSON for a stored send (graph/api/user-sendmail; shared/GRAPH-FACTS.md §1). The
 * HTML body is sent as typed: it is the person's message, and only the portal's own pages must never
 * render it unsandboxed.
 */
export interface StoredMessage {
  subject: string;
  bodyType: string;
  body: string | null;
  toAddresses: string[];
  ccAddresses: string[];
  bccAddresses: string[];
  replyToAddresses: string[];
  importance: string;
  headers: unknown;
}

const recipients = (list: string[]) => list.map((address) => ({ emailAddress: { address } }));

export function graphMessage(s: StoredMessage, attachments: Record<string, unknown>[] = []): Record<string, unknown> {
  const headers = Array.isArray(s.headers) ? (s.headers as { name: string; value: string }[]) : [];
  return {
    subject: s.subject,
    body: { contentType: s.bodyType === "text" ? "Text" : "HTML", content: s.body ?? "" },
    toRecipients: recipients(s.toAddresses),
    ...(s.ccAddresses.length ? { ccRecipients: recipients(s.ccAddresses) } : {}),
    ...(s.bccAddresses.length ? { bccRecipients: recipients(s.bccAddresses) } : {}),
    ...(s.replyToAddresses.length ? { replyTo: recipients(s.replyToAddresses) } : {}),
    importance: s.importance,
    ...(headers.length ? { internetMessageHeaders: headers.map((h) => ({ name: h.name, value: h.value })) } : {}),
    ...(attachments.length ? { attachments } : {}),
  };
}

/** isInline + contentId: an image the HTML body shows through cid: (a device message's inline part). */
export function fileAttachment(a: { name: string; contentType: string; isInline?: boolean; contentId?: string }, bytes: Buffer): Record<string, unknown> {
  return {
    "@odata.type": "#microsoft.graph.fileAttachment", name: a.name, contentType: a.contentType, contentBytes: bytes.toString("base64"),
    ...(a.isInline ? { isInline: true } : {}), ...(a.contentId ? { contentId: a.contentId } : {}),
  };
}
