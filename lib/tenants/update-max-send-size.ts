import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { forbidden, notFound } from "../errors";
import { recordAudit } from "../audit/record";

/**
 * Sets the message size limit the portal checks a tenant's sends against (lib/sends/encoded-size.ts).
 * Graph v1.0 does not expose a mailbox's MaxSendSize (the user and mailboxSettings resources have no such
 * property), so the admin enters what Exchange is set to. Audited.
 */
export async function updateMaxSendSize(actor: SessionUser, input: { tenantId: string; maxSendSizeMB: number }): Promise<void> {
  if (actor.role !== "admin") throw forbidden("change the message size limit");
  const bytes = input.maxSendSizeMB * 1024 * 1024;
  await db().$transaction(async (tx) => {
    const before = await tx.tenant.findUnique({ where: { id: input.tenantId }, select: { name: true, maxSendSizeBytes: true } });
    if (!before) throw notFound("That tenant");
    await tx.tenant.update({ where: { id: input.tenantId }, data: { maxSendSizeBytes: bytes } });
    await recordAudit(
      { actor, action: "tenant.maxSendSize.updated", target: before.name, tenantId: input.tenantId, before: { maxSendSizeBytes: before.maxSendSizeBytes }, after: { maxSendSizeBytes: bytes } },
      tx,
    );
  });
}
