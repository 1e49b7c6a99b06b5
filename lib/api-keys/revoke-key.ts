import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { forbidden, notFound } from "../errors";
import { recordAudit } from "../audit/record";

/**
 * Revokes a key at once: its next request is a 401, and sends it queued that have not gone out yet fail
 * at claim time (lib/grants/may-send.ts asks again). The row stays, so History keeps the key's name.
 */
export async function revokeApiKey(actor: SessionUser, input: { keyId: string }): Promise<void> {
  if (actor.role !== "admin") throw forbidden("revoke API keys");
  await db().$transaction(async (tx) => {
    const k = await tx.apiKey.findUnique({ where: { id: input.keyId }, select: { id: true, name: true, tenantId: true, displayPrefix: true, revokedAt: true } });
    if (!k) throw notFound("That API key");
    if (k.revokedAt) return;
    await tx.apiKey.update({ where: { id: k.id }, data: { revokedAt: new Date(), revokedById: actor.id } });
    await recordAudit({ actor, action: "apikey.revoked", target: k.name, tenantId: k.tenantId, before: { id: k.id, prefix: k.displayPrefix } }, tx);
  });
}
