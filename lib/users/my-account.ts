import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";

/** How the signed-in person signs in: a local password, a Microsoft identity (never its secrets), or both. */
export async function myAccount(actor: SessionUser): Promise<{ local: boolean; microsoftTenant: string | null; linked: boolean }> {
  const me = await db().user.findUniqueOrThrow({ where: { id: actor.id }, select: { passwordHash: true, entraObjectId: true, tenant: { select: { name: true } } } });
  return { local: me.passwordHash !== null, linked: me.entraObjectId !== null, microsoftTenant: me.entraObjectId ? (me.tenant?.name ?? "tenant removed") : null };
}
