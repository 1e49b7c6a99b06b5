import "server-only";
import type { Role } from "@/generated/prisma/enums";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { AppError, forbidden, notFound } from "../errors";
import { recordAudit } from "../audit/record";

/** Change a user's role or enabled state. The portal always keeps at least one enabled admin. */
export async function updateUser(actor: SessionUser, input: { userId: string; role?: Role; disabled?: boolean }): Promise<void> {
  if (actor.role !== "admin") throw forbidden("manage users");
  await db().$transaction(async (tx) => {
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
    await tx.user.update({ where: { id: input.userId }, data: { role, disabled } });
    await recordAudit(
      { actor, action: "user.updated", target: before.email, before: { role: before.role, disabled: before.disabled }, after: { role, disabled } },
      tx,
    );
  });
}
