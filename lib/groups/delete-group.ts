import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { forbidden, notFound } from "../errors";
import { recordAudit } from "../audit/record";

/** Deletes a group; its memberships and sender grants go with it (ON DELETE CASCADE). */
export async function deleteGroup(actor: SessionUser, input: { groupId: string }): Promise<void> {
  if (actor.role !== "admin") throw forbidden("manage groups");
  await db().$transaction(async (tx) => {
    const g = await tx.portalGroup.findUnique({
      where: { id: input.groupId },
      select: {
        name: true,
        members: { select: { user: { select: { email: true } } } },
        grants: { select: { mailbox: { select: { address: true } } } },
      },
    });
    if (!g) throw notFound("That group (it may have been deleted already)");
    const { count } = await tx.portalGroup.deleteMany({ where: { id: input.groupId } });
    if (count === 0) throw notFound("That group (it may have been deleted already)");
    await recordAudit(
      {
        actor,
        action: "group.deleted",
        target: g.name,
        before: { name: g.name, members: g.members.map((m) => m.user.email), mailboxes: g.grants.map((x) => x.mailbox.address) },
      },
      tx,
    );
  });
}
