import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { AppError, forbidden, notFound } from "../errors";
import { recordAudit } from "../audit/record";
import { INVITATION_VALID_DAYS, inviteSchema } from "./schemas";
import { parseInput } from "../validate";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface InvitationView {
  id: string;
  email: string;
  role: "admin" | "sender" | "auditor";
  expiresAt: Date;
}

/**
 * Invite an address to a tenant with a role. The invitation is bound to the person's Microsoft identity
 * (tid, oid) at their first sign-in (lib/auth/options.ts) and is open for INVITATION_VALID_DAYS days.
 * One open invitation per tenant and address: a second one is a 409 on the email field.
 *   inviteUser(actor, { tenantId, email: "adele.vance@contoso.com", role: "sender" })
 */
export async function inviteUser(actor: SessionUser, raw: { tenantId: string; email: string; role: string }): Promise<InvitationView> {
  if (actor.role !== "admin") throw forbidden("invite people");
  const input = parseInput(inviteSchema, raw);
  return db().$transaction(async (tx) => {
    const tenant = await tx.tenant.findUnique({ where: { id: input.tenantId }, select: { id: true, name: true } });
    if (!tenant) throw notFound("That tenant");
    // Two admins inviting the same address at once: the second waits here, then sees the first's row.
    await tx.$executeRaw`select pg_advisory_xact_lock(hashtext(${`invitation:${tenant.id}:${input.email}`}))`;
    const now = new Date();
    const open = await tx.invitation.findFirst({
      where: { tenantId: tenant.id, email: input.email, revokedAt: null, acceptedAt: null, expiresAt: { gt: now } },
      select: { expiresAt: true },
    });
    if (open) {
      const message = `${input.email} already has an open invitation to ${tenant.name} (until ${open.expiresAt.toISOString().slice(0, 10)}). Revoke it first to invite again.`;
      throw new AppError("INVITATION_EXISTS", { userMessage: message, status: 409, fields: { email: message } });
    }
    const invitation = await tx.invitation.create({
      data: { tenantId: tenant.id, email: input.email, role: input.role, invitedById: actor.id, expiresAt: new Date(now.getTime() + INVITATION_VALID_DAYS * DAY_MS) },
      select: { id: true, email: true, role: true, expiresAt: true },
    });
    await recordAudit(
      { actor, action: "invitation.created", target: input.email, tenantId: tenant.id, after: { email: input.email, role: input.role, expiresAt: invitation.expiresAt.toISOString() } },
      tx,
    );
    return invitation;
  });
}
