import "server-only";
import { db } from "../db";

/** Tenants people can sign in with: an app registration with a client secret is on file. */
export async function findSignInTenants(): Promise<{ id: string; name: string }[]> {
  return db().tenant.findMany({
    where: { clientId: { not: null }, credentialKind: "secret" },
    select: { id: true, name: true },
    orderBy: { name: "asc" },
  });
}
