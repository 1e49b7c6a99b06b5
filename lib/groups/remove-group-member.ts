import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { forbidden, notFound } from "../errors";
import { recordAudit } from "../audit/record";

export async function removeGroupMember(actor: SessionUser, input: { groupId: string; userId: string }): Promise<void> {
  if (actor.role !== "admin") throw forbidden("manage groups");
  await db().$transaction(async (tx) => {
    const m = await tx.portalGroupMember.findUnique({
      where: { groupId_userId: { groupId: input.groupId, userId: input.userId } },
      select: { group: { select: { name: true } }, user: { select: { id: true, name: true, email: true } } },
    });
    if (!m) throw notFound("That membership (it may have been removed already)");
    const { count } = await tx.portalGroupMember.deleteMany({ where: { groupId: input.groupId, userId: input.userId } });
    if (count === 0) throw notFound("That membership (it may have been removed already)");
    const before = { userId: m.user.id, name: m.user.name || m.user.email, email: m.user.email };
    await recordAudit({ actor, action: "group.member-removed", target: m.group.name, before }, tx);
  });
}
