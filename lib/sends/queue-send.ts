import "server-only";
import type { Prisma } from "@/generated/prisma/client";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { AppError, fieldErrors, forbidden, notFound } from "../errors";
import { recordAudit } from "../audit/record";
import { composeSchema, parseAddressList, type ComposeInput } from "../schemas/compose";
import { hasDelegatedGrant } from "../graph/delegated-token";
import { actorRefusal, loadDevicePrincipal, loadKeyPrincipal, loadSender, maySend, type Sender } from "../grants/may-send";
import type { ApiKeyCaller } from "../api-keys/authenticate-key";
import type { DeviceCaller } from "../smtp/device-caller";
import { keyMessageRefusal } from "../api-keys/message-rules";
import { notifyOutbox } from "../outbox/notify";
import { logInfo } from "../log";
import { currentRequestId } from "../request-context";
import { markUploadUsed, ownUpload, uploadOwnerOfDevice, uploadOwnerOfKey } from "./upload-store";
import { estimateEncodedSize, overLimitMessage } from "./encoded-size";

/**
 * The one writer of a Send row: compose, POST /api/sends, "send again", the setup wizard's restriction
 * test, and every later door (REST API, SMTP relay, bulk runs) queue through here. It validates the
 * message (the compose schema), asks lib/grants/may-send.ts whether this principal may send as this
 * mailbox in this mode, checks the caller's own uploads, and writes the Send as `queued` with its audit
 * event in one transaction. The send record is the job: an outbox worker (lib/outbox) claims it, asks
 * maySend again, and calls Graph.
 *   queueSend({ actor, tenantId, mode: "app", from, to: ["a@x.com"], subject, body })
 * An SMTP device (the relay, lib/smtp) is a principal of its own, like an API key: mode "smtp", its
 * message stored as received (`mime`), the columns holding what the relay read from its envelope:
 *   queueSend({ device, from, to, cc, bcc, replyTo, subject, saveToSent }, { origin: "smtp", mime: { uploadId, bytes } })
 */
export type QueueSendInput = (
  | { actor: SessionUser; apiKey?: undefined; device?: undefined }
  | { apiKey: ApiKeyCaller; actor?: undefined; device?: undefined }
  | { device: DeviceCaller; actor?: undefined; apiKey?: undefined }
) &
  Record<string, unknown>;

export interface QueueOptions {
  /** The wizard's restriction proof: an admin may attempt any address; kept out of History's counts. */
  test?: boolean;
  /** Which door the send came through, for the audit trail ("compose", "api", "send-again", "wizard"). */
  origin?: string;
  /**
   * Bulk runs (lib/bulk/queue-step.ts): recorded as mode "bulk" (sent like "app"); `sharedUpload` is the
   * run's one attachment, kept by the run rather than by this send (lib/bulk/attachment.ts); `within`
   * runs inside the transaction that writes the send — it records the send on the run's recipient, and
   * throwing rolls the send back, so a recipient is never queued twice.
   */
  bulk?: { sharedUpload?: string; within: (tx: QueueTx, sendId: string) => Promise<void> };
  /**
   * An API request's Idempotency-Key claim (lib/api-keys/idempotent-send.ts): bound to the send in the
   * transaction that writes it, so the send and its idempotency record commit together or not at all.
   */
  idempotencyClaimId?: string;
  /**
   * A device's message as the relay received it (lib/smtp): an upload of the device (`device:<id>`)
   * holding the whole MIME message, delivered as it is (lib/outbox). Its size is the encoded size that
   * Exchange measures against the mailbox's limit. Only with a `device` principal.
   */
  mime?: { uploadId: string; bytes: number };
}

export type QueueTx = Parameters<Parameters<ReturnType<typeof db>["$transaction"]>[0]>[0];

export interface AttachmentRecord {
  id: string;
  name: string;
  size: number;
  contentType: string;
  sha256: string;
  /** A bulk run's attachment: the run removes the file when it ends, not the send (lib/outbox/finish-send.ts). */
  shared?: boolean;
}

function invalid(fields: Record<string, string>, message = "Check the highlighted fields."): AppError {
  return new AppError("VALIDATION_FAILED", { userMessage: message, status: 422, fields });
}

export async function queueSend({ actor: caller, apiKey, device, ...raw }: QueueSendInput, opts: QueueOptions = {}): Promise<{ id: string }> {
  if (!!device !== !!opts.mime) throw new Error("queueSend: a device send carries its MIME message, and only a device send does");
  // The caller's session says who; the database says whether they are still active and what role they hold.
  // Checked before the message, so someone who may not send learns that first (maySend asks again below).
  // An API key (the REST API) is its own principal: no person, mode "api", checked by maySend below.
  let actor: Sender | null = null;
  if (caller) {
    actor = await loadSender(caller.id);
    const notSender = actorRefusal(actor, opts.test);
    if (notSender || !actor) throw forbidden(notSender?.code === "TEST_NOT_ADMIN" ? "run the restriction test" : "send mail");
  }
  const auditActor = caller ?? (apiKey ? { id: apiKey.id, name: `API key "${apiKey.name}"` } : { id: device!.id, name: `Device "${device!.name}"` });
  if (apiKey) raw = { ...raw, tenantId: apiKey.tenantId, mode: "app" };
  // The device's own message is the body: the columns only describe it (what History shows and searches).
  if (device) raw = { ...raw, tenantId: device.tenantId, mode: "app", body: "", bodyType: "text", headers: [], attachments: [] };
  const parsed = composeSchema.safeParse(raw);
  if (!parsed.success) {
    const fields = fieldErrors(parsed.error.issues);
    // Zod skips the cross-field recipient check while other fields fail; say it now so every problem shows at once.
    // Only what the schema could read counts: a JSON client may send anything (an object whose toString is not a function, say).
    const text = (v: unknown) => (typeof v === "string" ? v : Array.isArray(v) ? v.filter((x) => typeof x === "string").join("\n") : "");
    const count = ["to", "cc", "bcc"].reduce((n, k) => n + parseAddressList(text(raw[k])).valid.length, 0);
    if (count === 0) fields.to ??= "Add at least one recipient in To, Cc or Bcc";
    throw invalid(fields);
  }
  const input: ComposeInput = parsed.data;

  const tenant = await db().tenant.findUnique({
    where: { id: input.tenantId },
    select: { id: true, name: true, useApplication: true, useDelegated: true, clientId: true, maxSendSizeBytes: true },
  });
  if (!tenant) throw notFound("That tenant");
  const mode = apiKey ? "api" : device ? "smtp" : input.mode;
  const refusal = await maySend({
    actor,
    apiKey: apiKey ? await loadKeyPrincipal(apiKey.id) : null,
    device: device ? await loadDevicePrincipal(device.id) : null,
    tenant,
    mode,
    from: input.from,
    test: opts.test,
  });
  if (refusal) {
    if (refusal.code === "NOT_GRANTED" || refusal.code === "MAILBOX_NOT_LISTED") {
      await recordAudit({ actor: auditActor, action: "send.refused", target: input.from, tenantId: tenant.id, after: { reason: refusal.code, mode, origin: opts.origin ?? null } });
    }
    // A device is refused with the reason (the relay answers 550 5.7.1 with it, lib/smtp/replies.ts).
    if (device && (refusal.field === "actor" || refusal.code === "NOT_GRANTED" || refusal.code === "MAILBOX_NOT_LISTED")) {
      throw new AppError(refusal.code, { userMessage: refusal.message, status: 403, fields: { [refusal.field]: refusal.message } });
    }
    if (refusal.field === "actor") throw forbidden("send mail");
    // A key asking for a mailbox it was not granted is forbidden (403), not a form mistake.
    if (apiKey && (refusal.code === "NOT_GRANTED" || refusal.code === "MAILBOX_NOT_LISTED")) {
      throw new AppError("NOT_GRANTED", { userMessage: refusal.message, status: 403, fields: { [refusal.field]: refusal.message } });
    }
    throw invalid({ [refusal.field]: refusal.message }, refusal.message);
  }
  if (input.mode === "delegated" && actor && !(await hasDelegatedGrant(tenant.id, actor.id))) {
    throw new AppError("invalid_grant", { userMessage: "The portal holds no Microsoft sign-in for you that allows sending. Sign in with Microsoft again, then send.", status: 409, fields: { mode: "Sign in with Microsoft again to send as yourself" } });
  }

  if (opts.mime) {
    const m = await ownUpload(uploadOwnerOfDevice(device!.id), opts.mime.uploadId);
    if (m.sendId) throw invalid({ mime: "This message was already queued." });
    if (opts.mime.bytes > tenant.maxSendSizeBytes) {
      const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
      throw new AppError("MESSAGE_TOO_LARGE", { userMessage: `The message (${mb(opts.mime.bytes)}) is larger than the sender mailbox accepts (${mb(tenant.maxSendSizeBytes)}).`, status: 413 });
    }
  }
  const attachments: AttachmentRecord[] = [];
  for (const ref of input.attachments) {
    const m = await ownUpload(apiKey ? uploadOwnerOfKey(apiKey.id) : actor!.id, ref.id);
    const shared = opts.bulk?.sharedUpload === m.id;
    if (shared) {
      attachments.push({ id: m.id, name: m.name, size: m.size, contentType: m.contentType, sha256: m.sha256, shared: true });
      continue;
    }
    if (m.sendId) throw invalid({ attachments: `"${m.name}" was already sent with another message; attach it again.` });
    attachments.push({ id: m.id, name: m.name, size: m.size, contentType: m.contentType, sha256: m.sha256 });
  }
  // Exchange measures the encoded message against MaxSendSize: refuse here what it would refuse mid-upload.
  const addresses = [...input.to, ...input.cc, ...input.bcc, ...input.replyTo].map((a) => a.address);
  const estimate = estimateEncodedSize({ subject: input.subject, body: input.body, addresses, headers: input.headers, attachments });
  if (estimate > tenant.maxSendSizeBytes) {
    throw invalid({ attachments: overLimitMessage(estimate, tenant.maxSendSizeBytes, attachments.reduce((n, a) => n + a.size, 0)) }, "The message is too large for the sender mailbox once encoded.");
  }
  const sizeBytes = opts.mime ? opts.mime.bytes : Buffer.byteLength(input.subject) + Buffer.byteLength(input.body) + attachments.reduce((n, a) => n + a.size, 0);
  const addr = (list: { address: string }[]) => list.map((a) => a.address.toLowerCase());
  if (apiKey) {
    const broken = keyMessageRefusal(apiKey, { recipients: [...input.to, ...input.cc, ...input.bcc].map((a) => a.address), sizeBytes });
    if (broken) throw new AppError("KEY_RULE", { userMessage: broken.message, status: 422, fields: { [broken.field]: broken.message } });
  }

  const send = await db().$transaction(async (tx) => {
    const s = await tx.send.create({
      data: {
        tenantId: tenant.id,
        mode: opts.bulk ? "bulk" : mode,
        status: "queued",
        actorUserId: actor?.id ?? null,
        apiKeyId: apiKey?.id ?? null,
        deviceId: device?.id ?? null,
        mimeUploadId: opts.mime?.uploadId ?? null,
        test: opts.test ?? false,
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
    if (opts.bulk) await opts.bulk.within(tx, s.id);
    // The stored message belongs to the send from the moment it commits (no longer an unsent upload).
    if (opts.mime) await tx.upload.updateMany({ where: { id: opts.mime.uploadId }, data: { sendId: s.id } });
    if (opts.idempotencyClaimId) {
      // Still this request's claim (not taken over after a stall): otherwise roll the send back.
      const { count } = await tx.idempotencyRecord.updateMany({ where: { id: opts.idempotencyClaimId, sendId: null }, data: { sendId: s.id } });
      if (count !== 1) throw new AppError("IDEMPOTENCY_LOST", { userMessage: "Another request with the same Idempotency-Key took over; retry to get its result.", status: 409 });
    }
    await recordAudit({ actor: auditActor, action: "send.queued", target: s.id, tenantId: tenant.id, after: { mode, from: input.from, recipients: input.to.length + input.cc.length + input.bcc.length, attachments: attachments.length, origin: opts.origin ?? null, ...(opts.test ? { test: true } : {}) } }, tx);
    // Wakes every outbox worker when this commits (lib/outbox/worker.ts LISTENs).
    await notifyOutbox(tx);
    return s;
  });
  for (const a of attachments) if (!a.shared) await markUploadUsed(a.id, send.id);
  // Ties the request (its X-Request-Id) to the send; the worker's graph.call lines carry Microsoft's ids.
  logInfo("send queued", { event: "send.queued", sendId: send.id, tenantId: tenant.id, mode, origin: opts.origin ?? null, requestId: await currentRequestId() });
  return send;
}
