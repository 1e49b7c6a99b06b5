/** Delivered messages as the control API shows them (GET {controlUrl}/messages). */
import type { SandboxContext } from "../context";
import type { DeliveredMessage } from "../model";
import { isSentItem } from "./mail-state";

export function messageJson(ctx: SandboxContext, m: DeliveredMessage): Record<string, unknown> {
  return {
    id: m.id,
    mailbox: m.mailbox,
    folder: isSentItem(ctx.store, m) ? "SentItems" : "Inbox",
    internetMessageId: m.internetMessageId,
    receivedDateTime: m.receivedDateTime,
    from: m.from,
    sender: m.sender,
    to: m.to,
    cc: m.cc,
    bcc: m.bcc,
    replyTo: m.replyTo,
    subject: m.subject,
    body: m.body,
    importance: m.importance,
    internetMessageHeaders: m.internetMessageHeaders,
    attachments: m.attachments.map((a, n) => ({
      name: a.name,
      contentType: a.contentType,
      size: a.size,
      sha256: a.sha256,
      isInline: a.isInline,
      ...(a.contentId ? { contentId: a.contentId } : {}),
      downloadUrl: `${ctx.urls.controlUrl}/messages/${m.id}/attachments/${n}`,
    })),
    ...(m.mime ? { mime: { size: m.mime.size, sha256: m.mime.sha256, downloadUrl: `${ctx.urls.controlUrl}/messages/${m.id}/mime` } } : {}),
    via: m.via,
  };
}

export interface MessageQuery {
  to?: string | null;
  from?: string | null;
  subject?: string | null;
  /** "inbox" (default), "sentitems" or "all". */
  folder?: string | null;
}

export function queryMessages(ctx: SandboxContext, q: MessageQuery): DeliveredMessage[] {
  const lc = (s: string | null | undefined) => (s ?? "").trim().toLowerCase();
  const folder = lc(q.folder) || "inbox";
  return ctx.store.delivered.filter((m) => {
    const sent = isSentItem(ctx.store, m);
    if (folder === "inbox" && sent) return false;
    if (folder === "sentitems" && !sent) return false;
    if (lc(q.to) && m.mailbox.toLowerCase() !== lc(q.to)) return false;
    if (lc(q.from) && m.from.address.toLowerCase() !== lc(q.from)) return false;
    if (lc(q.subject) && !m.subject.toLowerCase().includes(lc(q.subject))) return false;
    return true;
  });
}
