import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { AppError, forbidden, notFound } from "../errors";
import { recordAudit } from "../audit/record";

const refused = (message: string, status = 422) => new AppError("VALIDATION_FAILED", { userMessage: message, status, fields: { userId: message } });

/**
 * Adds a person to a group. A disabled person may be a member (so re-enabling them restores what they
 * had); the session check refuses them everything while disabled. An auditor cannot send, so cannot join.
 */
export async function addGroupMember(actor: SessionUser, input: { groupId: string; userId: string }): Promise<void> {
  if (actor.role !== "admin") throw forbidden("manage groups");
  const group = await db().portalGroup.findUnique({ where: { id: input.groupId }, select: { id: true, name: true } });
  if (!group) throw notFound("That group");
  const user = await db().user.findUnique({ where: { id: input.userId }, select: { id: true, name: true, email: true, role: true } });
  if (!user) throw refused("That person was not found: choose someone from the list.", 404);
  const who = user.name || user.email;
  if (user.role === "auditor") throw refused(`${who} is an auditor and cannot send. Make them a sender on Settings → Users first.`);
  const duplicate = () => refused(`${who} is already a member of ${group.name}.`, 409);
  if (await db().portalGroupMember.findUnique({ where: { groupId_userId: { groupId: group.id, userId: user.id } }, select: { userId: true } })) {
    throw duplicate();
  }
  try {
    await db().$transaction(async (tx) => {
      await tx.portalGroupMember.create({ data: { groupId: group.id, userId: user.id } });
      await recordAudit({ actor, action: "group.member-added", target: group.name, after: { userId: user.id, name: who, email: user.email } }, tx);
    });
  } catch (err) {
    if (err && typeof err === "object" && (err as { code?: string }).code === "P2002") throw duplicate();
    throw err;
  }
}
