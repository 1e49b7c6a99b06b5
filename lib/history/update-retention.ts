import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { forbidden, notFound } from "../errors";
import { recordAudit } from "../audit/record";

/** Change how long a tenant's sends are kept and whether bodies are kept at all. Audited. */
export async function updateRetention(actor: SessionUser, input: { tenantId: string; retentionDays: number; metadataOnly: boolean }): Promise<void> {
  if (actor.role !== "admin") throw forbidden("change retention settings");
  await db().$transaction(async (tx) => {
    const before = await tx.tenant.findUnique({ where: { id: input.tenantId }, select: { name: true, retentionDays: true, metadataOnly: true } });
    if (!before) throw notFound("That tenant");
    await tx.tenant.update({ where: { id: input.tenantId }, data: { retentionDays: input.retentionDays, metadataOnly: input.metadataOnly } });
    await recordAudit(
      {
        actor,
        action: "tenant.retention.updated",
        target: before.name,
        tenantId: input.tenantId,
        before: { retentionDays: before.retentionDays, metadataOnly: before.metadataOnly },
        after: { retentionDays: input.retentionDays, metadataOnly: input.metadataOnly },
      },
      tx,
    );
  });
}
