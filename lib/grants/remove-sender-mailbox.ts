import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { forbidden, notFound } from "../errors";
import { recordAudit } from "../audit/record";

/**
 * Removes a sender mailbox from a tenant; its grants go with it (ON DELETE CASCADE). Exchange's own
 * restriction is not touched: that is Setup → Restrict senders.
 */
export async function removeSenderMailbox(actor: SessionUser, input: { tenantId: string; mailboxId: string }): Promise<void> {
  if (actor.role !== "admin") throw forbidden("manage sender mailboxes");
  await db().$transaction(async (tx) => {
    const m = await tx.senderMailbox.findFirst({
      where: { id: input.mailboxId, tenantId: input.tenantId },
      select: { address: true, allowed: true, policyStatus: true, _count: { select: { grants: true } } },
    });
    if (!m) throw notFound("That sender mailbox (it may have been removed already)");
    const { count } = await tx.senderMailbox.deleteMany({ where: { id: input.mailboxId } });
    if (count === 0) throw notFound("That sender mailbox (it may have been removed already)");
    await recordAudit(
      {
        actor,
        action: "mailbox.removed",
        target: m.address,
        tenantId: input.tenantId,
        before: { address: m.address, allowed: m.allowed, policyStatus: m.policyStatus, grants: m._count.grants },
      },
      tx,
    );
  });
}
