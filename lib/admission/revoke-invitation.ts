import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { AppError, forbidden, notFound } from "../errors";
import { recordAudit } from "../audit/record";
import { revokeInvitationSchema } from "./schemas";
import { parseInput } from "../validate";

/**
 * Withdraw an open invitation so nobody can be admitted with it. An accepted one cannot be revoked: the
 * person has an account by then (disable it in the users table instead).
 */
export async function revokeInvitation(actor: SessionUser, raw: { invitationId: string }): Promise<void> {
  if (actor.role !== "admin") throw forbidden("revoke invitations");
  const { invitationId } = parseInput(revokeInvitationSchema, raw);
  await db().$transaction(async (tx) => {
    const inv = await tx.invitation.findUnique({ where: { id: invitationId }, select: { tenantId: true, email: true, role: true, acceptedAt: true, revokedAt: true } });
    if (!inv) throw notFound("That invitation");
    // Conditional update: an invitation accepted at this very moment is not revoked behind the sign-in's back.
    const { count } = await tx.invitation.updateMany({ where: { id: invitationId, acceptedAt: null, revokedAt: null }, data: { revokedAt: new Date() } });
    if (count === 0) {
      const userMessage = inv.revokedAt
        ? `The invitation of ${inv.email} was already revoked.`
        : `${inv.email} already accepted the invitation; disable their account in the users table instead.`;
      throw new AppError("INVITATION_CLOSED", { userMessage, status: 409 });
    }
    await recordAudit({ actor, action: "invitation.revoked", target: inv.email, tenantId: inv.tenantId, before: { email: inv.email, role: inv.role } }, tx);
  });
}
