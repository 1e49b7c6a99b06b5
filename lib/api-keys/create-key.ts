import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { forbidden, notFound } from "../errors";
import { parseInput } from "../validate";
import { recordAudit } from "../audit/record";
import { grantKeyMailboxes } from "../grants/grant-key-mailboxes";
import { createApiKeySchema } from "../schemas/api-key";
import { newKeySecret } from "./secret";

/**
 * An admin creates an API key for a tenant with its mailbox grants and rules, in one transaction with
 * its audit event. The secret is returned once, to be shown once; only its SHA-256 is stored.
 */
export async function createApiKey(actor: SessionUser, raw: Record<string, unknown>): Promise<{ id: string; secret: string; displayPrefix: string; name: string }> {
  if (actor.role !== "admin") throw forbidden("create API keys");
  const input = parseInput(createApiKeySchema, raw, { fallback: "name", summary: "first" });
  const tenant = await db().tenant.findUnique({ where: { id: input.tenantId }, select: { id: true } });
  if (!tenant) throw notFound("That tenant");
  const { secret, hash, displayPrefix } = newKeySecret();
  const expiresAt = input.expiresAt ? new Date(`${input.expiresAt}T23:59:59.999Z`) : null;
  const key = await db().$transaction(async (tx) => {
    const k = await tx.apiKey.create({
      data: {
        tenantId: tenant.id,
        name: input.name,
        hash,
        displayPrefix,
        allowedSenders: [],
        allowedRecipientDomains: input.allowedDomains,
        maxMessageBytes: input.maxMessageMb ? input.maxMessageMb * 1024 * 1024 : null,
        ratePerMinute: input.ratePerMinute,
        expiresAt,
        createdById: actor.id,
      },
      select: { id: true },
    });
    const mailboxes = await grantKeyMailboxes(tx, { tenantId: tenant.id, apiKeyId: k.id, mailboxIds: input.mailboxIds, grantedById: actor.id });
    await recordAudit(
      {
        actor,
        action: "apikey.created",
        target: input.name,
        tenantId: tenant.id,
        after: { id: k.id, prefix: displayPrefix, mailboxes, allowedDomains: input.allowedDomains, maxMessageMb: input.maxMessageMb ?? null, ratePerMinute: input.ratePerMinute, expiresAt: expiresAt?.toISOString() ?? null },
      },
      tx,
    );
    return k;
  });
  return { id: key.id, secret, displayPrefix, name: input.name };
}
