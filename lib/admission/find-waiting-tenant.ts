import "server-only";
import { db } from "../db";

/**
 * For the public "Waiting for approval" page: the name of a tenant people sign in with, or null. Only
 * tenants the sign-in page lists anyway (lib/tenants/find-sign-in-tenants.ts), so an id reveals nothing new;
 * any other or malformed id gives null, never an error.
 */
export async function findWaitingTenant(tenantId: string | undefined): Promise<{ name: string } | null> {
  if (!tenantId || !/^[a-z0-9_-]{1,64}$/i.test(tenantId)) return null;
  return db().tenant.findFirst({
    where: { id: tenantId, clientId: { not: null }, credentialKind: "secret" },
    select: { name: true },
  });
}
