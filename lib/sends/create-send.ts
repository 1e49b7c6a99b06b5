import "server-only";
import type { Prisma } from "@/generated/prisma/client";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { AppError, forbidden, notFound } from "../errors";
import { recordAudit } from "../audit/record";
import { composeSchema, parseAddressList, type ComposeInput } from "../schemas/compose";
import { hasDelegatedGrant } from "../graph/delegated-token";
import { markUploadUsed, ownUpload } from "./upload-store";

/**
 * Accepts a message: validates it (the compose schema, the tenant's sending modes, the allowed sender
 * mailboxes, the caller's own uploads) and writes the Send as `queued` with its audit event in one
 * transaction. The send record is the job: an outbox worker (lib/outbox) claims it and calls Graph.
 * Callers: the compose page's action, POST /api/sends, the setup wizard's test send —
 *   createSend({ actor, tenantId, mode: "app", from, to: ["a@x.com"], subject, body })
 */
export type CreateSendInput = { actor: SessionUser } & Record<string, unknown>;

export interface AttachmentRecord {
  id: string;
  name: string;
  size: number;
  contentType: string;
  sha256: string;
}

function invalid(fields: Record<string, string>, message = "Check the highlighted fields."): AppError {
  return new AppError("VALIDATION_FAILED", { userMessage: message, status: 422, fields });
}

export async function createSend({ actor, ...raw }: CreateSendInput): Promise<{ id: string }> {
  if (actor.role !== "admin" && actor.role !== "sender") throw forbidden("send mail");
  const parsed = composeSchema.safeParse(raw);
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const i of parsed.error.issues) fields[i.path.join(".") || "form"] ??= i.message;
    // Zod skips the cross-field recipient check while other fields fail; say it now so every problem shows at once.
    const count = ["to", "cc", "bcc"].reduce((n, k) => n + parseAddressList(Array.isArray(raw[k]) ? (raw[k] as string[]).join("\n") : String(raw[k] ?? "")).valid.length, 0);
    if (count === 0) fields.to ??= "Add at least one recipient in To, Cc or Bcc";
    throw invalid(fields);
  }
  const input: ComposeInput = parsed.data;

  const tenant = await db().tenant.findUnique({
    where: { id: input.tenantId },
    select: { id: true, name: true, useApplication: true, useDelegated: true, clientId: true },
  });
  // Senders act in their own tenant only; admins in any. Someone else's tenant is "not found".
  if (!tenant || (actor.role !== "admin" && actor.tenantId !== tenant.id)) throw notFound("That tenant");
  if (!tenant.clientId) throw invalid({ tenantId: `Tenant "${tenant.name}" has no app registration yet: finish its setup first.` });

  if (input.mode === "app") {
    if (!tenant.useApplication) throw invalid({ mode: `Tenant "${tenant.name}" does not use application sending. Send as yourself instead.` });
    const sender = await db().senderMailbox.findFirst({ where: { tenantId: tenant.id, address: { equals: input.from, mode: "insensitive" }, allowed: true }, select: { id: true } });
    if (!sender) throw invalid({ from: `${input.from} is not an allowed sender mailbox of "${tenant.name}". An admin adds sender mailboxes in Setup.` });
  } else {
    if (!tenant.useDelegated) throw invalid({ mode: `Tenant "${tenant.name}" does not allow sending as yourself (delegated Mail.Send).` });
    if (actor.tenantId !== tenant.id) throw invalid({ mode: "Only people who signed in with Microsoft in this tenant can send as themselves." });
    if (input.from !== actor.email.toLowerCase()) throw invalid({ from: `When you send as yourself, the sender is your own address (${actor.email}).` });
    if (!(await hasDelegatedGrant(tenant.id, actor.id))) {
      throw new AppError("invalid_grant", { userMessage: "The portal holds no Microsoft sign-in for you that allows sending. Sign in with Microsoft again, then send.", status: 409, fields: { mode: "Sign in with Microsoft again to send as yourself" } });
    }
  }

  const attachments: AttachmentRecord[] = [];
  for (const ref of input.attachments) {
    const m = await ownUpload(actor.id, ref.id);
    if (m.sendId) throw invalid({ attachments: `"${m.name}" was already sent with another message; attach it again.` });
    attachments.push({ id: m.id, name: m.name, size: m.size, contentType: m.contentType, sha256: m.sha256 });
  }
  const sizeBytes = Buffer.byteLength(input.subject) + Buffer.byteLength(input.body) + attachments.reduce((n, a) => n + a.size, 0);
  const addr = (list: { address: string }[]) => list.map((a) => a.address.toLowerCase());

  const send = await db().$transaction(async (tx) => {
    const s = await tx.send.create({
      data: {
        tenantId: tenant.id,
        mode: input.mode,
        status: "queued",
        actorUserId: actor.id,
        fromAddress: input.from,
        toAddresses: addr(input.to),
        ccAddresses: addr(input.cc),
        bccAddresses: addr(input.bcc),
        replyToAddresses: addr(input.replyTo),
        recipientCount: input.to.length + input.cc.length + input.bcc.length,
        subject: input.subject,
        bodyType: input.bodyType,
        // Kept until the send is done even for metadata-only tenants (the worker needs it); the outbox
        // clears it then (lib/outbox/finish-send.ts).
        body: input.body,
        sizeBytes,
        attachments: attachments as unknown as Prisma.InputJsonValue,
        headers: input.headers as unknown as Prisma.InputJsonValue,
        importance: input.importance,
        saveToSent: input.saveToSent,
      },
      select: { id: true },
    });
    await recordAudit({ actor, action: "send.queued", target: s.id, tenantId: tenant.id, after: { mode: input.mode, from: input.from, recipients: input.to.length + input.cc.length + input.bcc.length, attachments: attachments.length } }, tx);
    return s;
  });
  for (const a of attachments) await markUploadUsed(a.id, send.id);
  return send;
}
