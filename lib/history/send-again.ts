import "server-only";
import type { Prisma } from "@/generated/prisma/client";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { AppError, forbidden, notFound } from "../errors";
import { recordAudit } from "../audit/record";

/**
 * "Send again" for a failed send (admins): a new queued send copying the message, in application
 * mode under the admin's name, written with its audit event in one transaction. The outbox worker
 * picks it up like any other queued send; nothing here calls Graph.
 */
export async function sendAgain(actor: SessionUser, sendId: string): Promise<{ id: string }> {
  if (actor.role !== "admin") throw forbidden("send a message again");
  return db().$transaction(async (tx) => {
    const s = await tx.send.findUnique({ where: { id: sendId } });
    if (!s) throw notFound("That send");
    if (s.status !== "failed") {
      throw new AppError("NOT_FAILED", { userMessage: "Only failed sends can be sent again.", status: 409 });
    }
    if (s.body === null) {
      throw new AppError("BODY_NOT_KEPT", { userMessage: "This tenant keeps metadata only: the message body was not stored, so it cannot be sent again.", status: 409 });
    }
    // The outbox deletes uploaded files once a send has ended (lib/outbox/finish-send.ts), so a copy
    // could never attach them: refuse plainly rather than queue a send that must fail.
    if (Array.isArray(s.attachments) && s.attachments.length > 0) {
      throw new AppError("ATTACHMENTS_NOT_KEPT", { userMessage: "Attachments are not kept after a send ends, so this message cannot be sent again. Compose it again with its files.", status: 409 });
    }
    const copy = await tx.send.create({
      data: {
        tenantId: s.tenantId,
        mode: "app",
        status: "queued",
        actorUserId: actor.id,
        fromAddress: s.fromAddress,
        toAddresses: s.toAddresses,
        ccAddresses: s.ccAddresses,
        bccAddresses: s.bccAddresses,
        replyToAddresses: s.replyToAddresses,
        recipientCount: s.recipientCount,
        subject: s.subject,
        bodyType: s.bodyType,
        body: s.body,
        sizeBytes: s.sizeBytes,
        attachments: s.attachments as Prisma.InputJsonValue,
        headers: s.headers as Prisma.InputJsonValue,
        importance: s.importance,
        saveToSent: s.saveToSent,
      },
      select: { id: true },
    });
    await recordAudit({ actor, action: "send.resent", target: copy.id, tenantId: s.tenantId, before: { sendId: s.id, errorCode: s.errorCode }, after: { sendId: copy.id } }, tx);
    return copy;
  });
}
