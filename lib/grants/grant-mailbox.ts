import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { AppError, forbidden, notFound } from "../errors";
import { recordAudit } from "../audit/record";

export interface GrantMailboxInput {
  tenantId: string;
  mailboxId: string;
  /** Exactly one of userId and groupId. */
  userId?: string;
  groupId?: string;
}

type Principal = { kind: "user"; id: string; name: string; email: string } | { kind: "group"; id: string; name: string };

const invalid = (field: string, message: string, status = 422) =>
  new AppError("VALIDATION_FAILED", { userMessage: message, status, fields: { [field]: message } });

async function principalOf(input: GrantMailboxInput): Promise<Principal> {
  if (input.userId && input.groupId) throw invalid("userId", "Choose a person or a group, not both.");
  if (input.userId) {
    const u = await db().user.findUnique({ where: { id: input.userId }, select: { id: true, name: true, email: true, role: true, disabled: true } });
    if (!u) throw invalid("userId", "That person was not found: choose someone from the list.", 404);
    const who = u.name || u.email;
    if (u.disabled) throw invalid("userId", `${who} is disabled. Enable the account on Settings → Users first.`);
    // Auditors read logs and change nothing, sending included (README: roles).
    if (u.role === "auditor") throw invalid("userId", `${who} is an auditor and cannot send. Make them a sender on Settings → Users first.`);
    return { kind: "user", id: u.id, name: who, email: u.email };
  }
  if (input.groupId) {
    const g = await db().portalGroup.findUnique({ where: { id: input.groupId }, select: { id: true, name: true } });
    if (!g) throw invalid("groupId", "That group was not found: choose one from the list.", 404);
    return { kind: "group", id: g.id, name: g.name };
  }
  throw invalid("userId", "Choose a person or a group.");
}

/**
 * Lets one person or one portal group send as one sender mailbox of a tenant. Admins grant themselves
 * like anyone else: nobody is implicitly granted anything. A grant that exists already is a 409.
 */
export async function grantMailbox(actor: SessionUser, input: GrantMailboxInput): Promise<{ id: string }> {
  if (actor.role !== "admin") throw forbidden("grant sender mailboxes");
  const mailbox = await db().senderMailbox.findFirst({
    where: { id: input.mailboxId, tenantId: input.tenantId },
    select: { id: true, address: true },
  });
  if (!mailbox) throw notFound("That sender mailbox");
  const p = await principalOf(input);
  const duplicate = () => {
    const message = `${p.name} may already send as ${mailbox.address}.`;
    return new AppError("GRANT_EXISTS", { userMessage: message, status: 409, fields: { [p.kind === "user" ? "userId" : "groupId"]: message } });
  };
  const key = p.kind === "user" ? { userId: p.id } : { groupId: p.id };
  if (await db().senderGrant.findFirst({ where: { mailboxId: mailbox.id, ...key }, select: { id: true } })) throw duplicate();
  try {
    return await db().$transaction(async (tx) => {
      const grant = await tx.senderGrant.create({ data: { mailboxId: mailbox.id, ...key, grantedById: actor.id }, select: { id: true } });
      await recordAudit(
        {
          actor,
          action: "grant.added",
          target: mailbox.address,
          tenantId: input.tenantId,
          after: p.kind === "user" ? { principal: "user", id: p.id, name: p.name, email: p.email } : { principal: "group", id: p.id, name: p.name },
        },
        tx,
      );
      return grant;
    });
  } catch (err) {
    // Two admins granting the same thing at once: the unique index decides, the loser gets the same 409.
    if (err && typeof err === "object" && (err as { code?: string }).code === "P2002") throw duplicate();
    throw err;
  }
}
