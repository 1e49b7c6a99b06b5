/**
 * Submitting a message from a mailbox: the checks Exchange makes at submission, then delivery.
 * Shared by POST …/sendMail and POST …/messages/{id}/send.
 */
import { randomUUID } from "node:crypto";
import { putBlob } from "../exchange/blobs";
import { deliverMessage, type DeliveryResult } from "../exchange/delivery";
import type { MessageContent, StoredAttachment } from "../exchange/mail-state";
import { resolveRecipient } from "../exchange/recipients";
import { checkMessageRate, recordMessage } from "../exchange/throttling";
import type { SandboxContext } from "../context";
import { checkRecipientCount, messageSize, NO_RECIPIENTS, SIZE_EXCEEDED, type InlineAttachment } from "./message-input";
import { GraphHttpError, type GraphCall } from "./pipeline";
import type { MailboxTarget } from "./mailbox-target";

export function storeInlineAttachments(ctx: SandboxContext, atts: InlineAttachment[]): StoredAttachment[] {
  const at = new Date(ctx.clock.now()).toISOString();
  return atts.map((a) => {
    const { sha256, size } = putBlob(ctx.dataDir, a.bytes);
    return {
      id: `AAMkAD${randomUUID().replace(/-/g, "")}AAABEgAQ=`,
      name: a.name,
      contentType: a.contentType,
      size,
      sha256,
      isInline: a.isInline,
      ...(a.contentId ? { contentId: a.contentId } : {}),
      lastModifiedDateTime: at,
    };
  });
}

/** Size check against the mailbox's MaxSendSize (observed 400 ErrorMessageSizeExceeded). */
export function checkSize(target: MailboxTarget, content: MessageContent, attachmentSizes: number[]): void {
  if (messageSize(content, attachmentSizes) > target.mailbox.maxSendSize) throw SIZE_EXCEEDED();
}

export function submit(
  g: GraphCall,
  target: MailboxTarget,
  content: MessageContent,
  attachments: StoredAttachment[],
  route: "sendMail" | "draft",
  saveToSentItems: boolean,
): DeliveryResult {
  const { ctx } = g;
  if (content.to.length + content.cc.length + content.bcc.length === 0) throw NO_RECIPIENTS();
  checkRecipientCount(content);
  if (content.from) {
    // from/sender must be the mailbox itself unless SendAs/SendOnBehalf is granted; the sandbox does
    // not model those rights (observed ErrorSendAsDenied; status unconfirmed, 403 chosen).
    const r = resolveRecipient(ctx.store, target.user.tenantId, content.from.address);
    if (!r || r.id !== target.user.id) {
      throw new GraphHttpError(
        403,
        "ErrorSendAsDenied",
        "The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account., Cannot submit message.",
      );
    }
    content = { ...content, from: { address: target.mailbox.primarySmtpAddress, name: content.from.name ?? target.user.displayName } };
  }
  checkSize(target, content, attachments.map((a) => a.size));
  const now = ctx.clock.now();
  const rate = checkMessageRate(ctx.store, target.user.id, now);
  if (!rate.ok) {
    // Sandbox wording: Exchange documents the 30/min limit but not a Graph error for it (see throttling.ts).
    throw new GraphHttpError(429, "ApplicationThrottled", "Mailbox is over its message submission rate limit (30 messages per minute).", {
      "retry-after": String(rate.retryAfterSeconds),
    });
  }
  recordMessage(ctx.store, target.user.id, now);
  return deliverMessage(ctx, {
    tenantId: target.user.tenantId,
    sender: { user: target.user, mailbox: target.mailbox },
    content,
    attachments,
    via: { appId: g.claims.appid, kind: g.claims.idtyp === "app" ? "app" : "delegated", route },
    saveToSentItems,
  });
}
