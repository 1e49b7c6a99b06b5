import "server-only";
import type { Role } from "@/generated/prisma/enums";
import type { Prisma } from "@/generated/prisma/client";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { AppError, forbidden, notFound } from "../errors";
import { recordAudit } from "../audit/record";

/** Key of the transaction-scoped advisory lock that serialises changes to who is an enabled admin ("GMPA"). */
const ADMIN_CHANGES_LOCK = 0x474d5041;

/**
 * Waits for every other transaction changing a role or an enabled state to finish, until this transaction
 * ends. Without it the last-admin rule is check-then-write under READ COMMITTED: two admins demoting each
 * other at once each count two admins and both succeed, leaving none. Any other code that demotes,
 * disables or deletes a user must take it too, before it reads.
 * https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS
 */
export async function lockAdminChanges(tx: Pick<Prisma.TransactionClient, "$executeRaw">): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADMIN_CHANGES_LOCK}::bigint)`;
}

/**
 * Change a user's role or enabled state. The portal always keeps at least one enabled admin. A change ends
 * the person's open sessions (their session version is bumped): they sign in again under the new role, and
 * enabling a disabled account later does not bring its old sessions back.
 */
export async function updateUser(actor: SessionUser, input: { userId: string; role?: Role; disabled?: boolean }): Promise<void> {
  if (actor.role !== "admin") throw forbidden("manage users");
  await db().$transaction(async (tx) => {
    await lockAdminChanges(tx);
    // Under the lock, the actor's own role is read again: an admin demoted a moment ago acts no more.
    const me = await tx.user.findUnique({ where: { id: actor.id }, select: { role: true, disabled: true } });
    if (me?.role !== "admin" || me.disabled) throw forbidden("manage users");
    const before = await tx.user.findUnique({ where: { id: input.userId }, select: { email: true, role: true, disabled: true } });
    if (!before) throw notFound("That user");
    const role = input.role ?? before.role;
    const disabled = input.disabled ?? before.disabled;
    if (before.role === "admin" && !before.disabled && (role !== "admin" || disabled)) {
      const admins = await tx.user.count({ where: { role: "admin", disabled: false } });
      if (admins <= 1) {
        throw new AppError("LAST_ADMIN", { userMessage: "This is the last enabled admin. Make someone else an admin first.", status: 409 });
      }
    }
    const changed = role !== before.role || disabled !== before.disabled;
    await tx.user.update({ where: { id: input.userId }, data: { role, disabled, ...(changed ? { sessionVersion: { increment: 1 } } : {}) } });
    await recordAudit(
      { actor, action: "user.updated", target: before.email, before: { role: before.role, disabled: before.disabled }, after: { role, disabled } },
      tx,
    );
  });
}
