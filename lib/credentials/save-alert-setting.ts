import "server-only";
import { recordAudit } from "../audit/record";
import type { SessionUser } from "../auth/session";
import { db } from "../db";
import { AppError, notFound } from "../errors";
import { loadSender, maySend } from "../grants/may-send";
import { requireCredentialAdmin } from "./require-role";

/**
 * Which mailbox mails the expiry warnings. The warnings are queued through lib/sends/queue-send.ts as
 * application sends OF THE ADMIN WHO CHOSE THE MAILBOX (the principal History and the audit trail show),
 * so the admin must be allowed to send as it now — the same question the outbox asks again at send time.
 */
export async function saveAlertSetting(actor: SessionUser, input: { tenantId: string; fromAddress: string }): Promise<void> {
  requireCredentialAdmin(actor);
  const tenant = await db().tenant.findUnique({ where: { id: input.tenantId }, select: { id: true, name: true, useApplication: true, useDelegated: true, clientId: true } });
  if (!tenant) throw notFound("That tenant");
  const refusal = await maySend({ actor: await loadSender(actor.id), apiKey: null, tenant, mode: "app", from: input.fromAddress });
  if (refusal) {
    throw new AppError("ALERT_SENDER_REFUSED", { userMessage: refusal.message, status: 422, fields: { fromAddress: `You cannot send as ${input.fromAddress}: ${refusal.message}` } });
  }
  const before = await db().credentialAlertSetting.findUnique({ where: { id: "default" } });
  await db().credentialAlertSetting.upsert({
    where: { id: "default" },
    create: { id: "default", tenantId: tenant.id, fromAddress: input.fromAddress.toLowerCase(), configuredById: actor.id },
    update: { tenantId: tenant.id, fromAddress: input.fromAddress.toLowerCase(), configuredById: actor.id },
  });
  await recordAudit({ actor, action: "credential.alert-sender-set", target: input.fromAddress.toLowerCase(), tenantId: tenant.id, before: before ? { fromAddress: before.fromAddress, configuredById: before.configuredById } : undefined, after: { fromAddress: input.fromAddress.toLowerCase() } });
}
