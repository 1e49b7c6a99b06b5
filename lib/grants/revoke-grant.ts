import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { forbidden, notFound } from "../errors";
import { recordAudit } from "../audit/record";

/** Takes one grant away (scoped to the tenant whose Senders page shows it). */
export async function revokeGrant(actor: SessionUser, input: { tenantId: string; grantId: string }): Promise<void> {
  if (actor.role !== "admin") throw forbidden("grant sender mailboxes");
  await db().$transaction(async (tx) => {
    const g = await tx.senderGrant.findFirst({
      where: { id: input.grantId, mailbox: { tenantId: input.tenantId } },
      select: {
        mailbox: { select: { address: true } },
        user: { select: { id: true, name: true, email: true } },
        group: { select: { id: true, name: true } },
        apiKey: { select: { id: true, name: true } },
      },
    });
    if (!g) throw notFound("That grant (it may have been removed already)");
    const before = g.user
      ? { principal: "user", id: g.user.id, name: g.user.name || g.user.email, email: g.user.email }
      : g.group
        ? { principal: "group", id: g.group.id, name: g.group.name }
        : { principal: "apiKey", id: g.apiKey?.id ?? null, name: g.apiKey?.name ?? null };
    // deleteMany: an admin removing the same grant at the same moment gets "not found", not a 500.
    const { count } = await tx.senderGrant.deleteMany({ where: { id: input.grantId } });
    if (count === 0) throw notFound("That grant (it may have been removed already)");
    await recordAudit({ actor, action: "grant.removed", target: g.mailbox.address, tenantId: input.tenantId, before }, tx);
  });
}
