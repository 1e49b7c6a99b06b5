import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { AppError, forbidden } from "../errors";
import { recordAudit } from "../audit/record";
import { queueSend } from "../sends/queue-send";
import { KEY_CALLER_SELECT, type ApiKeyCaller } from "../api-keys/authenticate-key";
import { resendInput } from "../sends/resend-input";
import { isDeviceSend, resendDeviceMessage } from "../sends/resend-device";
import { removeUpload } from "../sends/upload-store";
import { deadLetterWhere } from "./list-dead-letters";

/**
 * An admin's decision on dead letters, in bulk: `retry` queues each message again as a new send through
 * the one queueing path (lib/sends/queue-send.ts) in the name of the principal who first queued it, so
 * the grants, tenant mode and message rules are asked again as they are NOW — a sender no longer granted
 * the mailbox (or disabled, or removed) is refused with the reason and the dead letter stays listed.
 * A device's message (mode "smtp") is retried as that device with its stored MIME
 * (lib/sends/resend-device.ts). `discard` takes it off the list (and removes a device's stored MIME). Each decision is audited (dead-letter.retried, .retry-refused,
 * .discarded) with the admin as the actor; the original send keeps its history and points at its retry.
 */
export interface Outcome {
  id: string;
  ok: boolean;
  /** The new send (retry), or why nothing was done. */
  newId?: string;
  reason?: string;
}

async function ensure(actor: SessionUser, ids: string[]) {
  if (actor.role !== "admin") throw forbidden("retry or discard dead letters");
  const rows = await db().send.findMany({ where: { id: { in: ids }, ...deadLetterWhere } });
  const found = new Set(rows.map((r) => r.id));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length) {
    throw new AppError("NOT_DEAD_LETTER", {
      userMessage: `${missing.length === 1 ? "One selected send is" : `${missing.length} selected sends are`} not a dead letter (any more): reload the list.`,
      status: 409,
      fields: { sendIds: `Not a dead letter: ${missing.slice(0, 3).join(", ")}${missing.length > 3 ? "…" : ""}` },
    });
  }
  return rows;
}

function reasonOf(err: unknown): string {
  if (!(err instanceof AppError)) return "The portal hit an unexpected error; see the server log.";
  // queue-send speaks to the person queueing; here that person is the original sender, not the admin.
  if (err.status === 403) return "The person who queued it may no longer send mail (disabled, or no longer in a sending role).";
  return Object.values(err.fields ?? {})[0] ?? err.userMessage;
}

export async function retryDeadLetters(actor: SessionUser, ids: string[]): Promise<Outcome[]> {
  const rows = await ensure(actor, ids);
  const out: Outcome[] = [];
  for (const s of rows) {
    let reason: string | null = null;
    const device = isDeviceSend(s);
    if (s.body === null) reason = "This tenant keeps metadata only: the message body was not stored, so it cannot be sent again.";
    else if (Array.isArray(s.attachments) && s.attachments.length > 0) reason = "Attachments are not kept after a send ends: compose it again with its files.";
    const sender = !device && s.actorUserId ? await db().user.findUnique({ where: { id: s.actorUserId }, select: { id: true, name: true, email: true, role: true, tenantId: true } }) : null;
    // A send an API key queued is retried as that key, under the key's grants and rules as they are now.
    const key = !sender && s.apiKeyId
      ? await db().apiKey.findUnique({ where: { id: s.apiKeyId }, select: KEY_CALLER_SELECT })
      : null;
    if (!reason && key?.revokedAt) reason = "The API key that queued it was revoked.";
    if (!reason && key?.expiresAt && key.expiresAt <= new Date()) reason = "The API key that queued it has expired.";
    if (!reason && !device && !sender && !key) reason = "The person or API key that queued it no longer exists on the portal, so nobody's grants allow sending it.";
    // Taken off the list first, conditionally: two admins retrying at once never queue it twice.
    const taken = await db().send.updateMany({ where: { id: s.id, ...deadLetterWhere }, data: { deadLetterResolution: "retried", deadLetterResolvedAt: new Date(), deadLetterResolvedById: actor.id } });
    if (taken.count === 0) {
      out.push({ id: s.id, ok: false, reason: "Another admin resolved it meanwhile." });
      continue;
    }
    let newId: string | undefined;
    if (!reason) {
      try {
        if (device) newId = (await resendDeviceMessage(s, "dead-letter-retry")).id;
        else {
          let principal: { actor: NonNullable<typeof sender> } | { apiKey: ApiKeyCaller };
          if (sender) principal = { actor: sender };
          else {
            const { revokedAt: _r, expiresAt: _e, ...apiKey } = key!;
            principal = { apiKey };
          }
          newId = (await queueSend({ ...principal, ...resendInput(s) }, { origin: "dead-letter-retry" })).id;
        }
      } catch (err) {
        // A device's refusal speaks of the device (revoked, its grant gone), not of a person.
        reason = device && err instanceof AppError ? (Object.values(err.fields ?? {})[0] ?? err.userMessage) : reasonOf(err);
      }
    }
    if (newId) {
      await db().send.update({ where: { id: s.id }, data: { retriedAsId: newId } });
      await recordAudit({ actor, action: "dead-letter.retried", target: s.id, tenantId: s.tenantId, before: { errorCode: s.errorCode }, after: { sendId: newId } });
      out.push({ id: s.id, ok: true, newId });
    } else {
      // Refused: back on the list, with the reason in the audit trail and on the page.
      await db().send.update({ where: { id: s.id }, data: { deadLetterResolution: null, deadLetterResolvedAt: null, deadLetterResolvedById: null } });
      await recordAudit({ actor, action: "dead-letter.retry-refused", target: s.id, tenantId: s.tenantId, before: { errorCode: s.errorCode }, after: { reason } });
      out.push({ id: s.id, ok: false, reason: reason! });
    }
  }
  return out;
}

export async function discardDeadLetters(actor: SessionUser, ids: string[]): Promise<Outcome[]> {
  const rows = await ensure(actor, ids);
  const out: Outcome[] = [];
  for (const s of rows) {
    const n = await db().send.updateMany({ where: { id: s.id, ...deadLetterWhere }, data: { deadLetterResolution: "discarded", deadLetterResolvedAt: new Date(), deadLetterResolvedById: actor.id } });
    if (n.count === 0) {
      out.push({ id: s.id, ok: false, reason: "Another admin resolved it meanwhile." });
      continue;
    }
    if (s.mimeUploadId) await removeUpload(s.mimeUploadId).catch(() => undefined);
    await recordAudit({ actor, action: "dead-letter.discarded", target: s.id, tenantId: s.tenantId, before: { errorCode: s.errorCode, errorMessage: s.errorMessage } });
    out.push({ id: s.id, ok: true });
  }
  return out;
}
