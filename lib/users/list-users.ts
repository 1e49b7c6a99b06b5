import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { forbidden } from "../errors";

export async function listUsers(actor: SessionUser) {
  if (actor.role !== "admin") throw forbidden("manage users");
  return db().user.findMany({
    orderBy: [{ role: "asc" }, { email: "asc" }],
    select: { id: true, email: true, name: true, role: true, disabled: true, lastSignInAt: true, entraObjectId: true, tenant: { select: { name: true } } },
  });
}
