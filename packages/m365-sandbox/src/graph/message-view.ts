/** JSON shapes of Outlook resources as Graph returns them (graph/api/resources/message, fileattachment). */
import { randomBytes } from "node:crypto";
import type { Address, Draft, StoredAttachment } from "../exchange/mail-state";

/** Outlook item ids look like "AAMkAD…AAA=": long, URL-safe base64. */
export const outlookId = (prefix = "AAMkAD") => `${prefix}${randomBytes(33).toString("base64url")}AAA=`;

const recipient = (a: Address) => ({ emailAddress: { name: a.name ?? a.address, address: a.address } });

export function draftJson(graphUrl: string, userParam: string, d: Draft): Record<string, unknown> {
  const c = d.content;
  const preview = c.body.contentType === "html" ? c.body.content.replace(/<[^>]*>/g, " ") : c.body.content;
  return {
    "@odata.context": `${graphUrl}/v1.0/$metadata#users('${encodeURIComponent(userParam)}')/messages/$entity`,
    "@odata.etag": `W/"${d.lastModifiedDateTime}"`,
    id: d.id,
    createdDateTime: d.createdDateTime,
    lastModifiedDateTime: d.lastModifiedDateTime,
    changeKey: Buffer.from(d.lastModifiedDateTime).toString("base64"),
    categories: [],
    receivedDateTime: d.createdDateTime,
    sentDateTime: null,
    hasAttachments: d.attachments.some((a) => !a.isInline),
    internetMessageId: d.internetMessageId,
    subject: c.subject,
    bodyPreview: preview.replace(/\s+/g, " ").trim().slice(0, 255),
    importance: c.importance,
    parentFolderId: "drafts",
    conversationId: d.conversationId,
    isDeliveryReceiptRequested: false,
    isReadReceiptRequested: false,
    isRead: true,
    isDraft: true,
    inferenceClassification: "focused",
    body: { contentType: c.body.contentType, content: c.body.content },
    sender: c.from ? recipient(c.from) : null,
    from: c.from ? recipient(c.from) : null,
    toRecipients: c.to.map(recipient),
    ccRecipients: c.cc.map(recipient),
    bccRecipients: c.bcc.map(recipient),
    replyTo: c.replyTo.map(recipient),
    flag: { flagStatus: "notFlagged" },
  };
}

export function attachmentJson(graphUrl: string, userParam: string, draftId: string, a: StoredAttachment, contentBytes?: string): Record<string, unknown> {
  return {
    "@odata.context": `${graphUrl}/v1.0/$metadata#users('${encodeURIComponent(userParam)}')/messages('${encodeURIComponent(draftId)}')/attachments/$entity`,
    "@odata.type": "#microsoft.graph.fileAttachment",
    "@odata.mediaContentType": a.contentType,
    id: a.id,
    lastModifiedDateTime: a.lastModifiedDateTime,
    name: a.name,
    contentType: a.contentType,
    size: a.size,
    isInline: a.isInline,
    contentId: a.contentId ?? null,
    contentLocation: null,
    ...(contentBytes !== undefined ? { contentBytes } : {}),
  };
}
