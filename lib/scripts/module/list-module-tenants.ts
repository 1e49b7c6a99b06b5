import "server-only";
import { db } from "@/lib/db";
import type { SessionUser } from "@/lib/auth/session";
import { requireModuleAdmin } from "./module-for-tenant";

/** The tenants an admin may generate the module for, with what the page needs to choose (no credential material). */
export async function listModuleTenants(actor: SessionUser) {
  requireModuleAdmin(actor);
  const rows = await db().tenant.findMany({
    orderBy: { name: "asc" },
    select: { id: true, name: true, clientId: true, senders: { where: { allowed: true }, select: { address: true }, orderBy: { address: "asc" } } },
  });
  return rows.map((t) => ({ id: t.id, name: t.name, hasClientId: Boolean(t.clientId), senders: t.senders.map((s) => s.address) }));
}

export type ModuleTenantChoice = Awaited<ReturnType<typeof listModuleTenants>>[number];
