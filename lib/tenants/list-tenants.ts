import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";

/** Tenants the caller may see, as view objects (no credential material). */
export async function listTenants(actor: SessionUser) {
  const rows = await db().tenant.findMany({
    where: actor.role === "admin" || actor.role === "auditor" ? {} : { id: actor.tenantId ?? "-" },
    orderBy: { name: "asc" },
    select: {
      id: true, name: true, cloud: true, directoryId: true, clientId: true, credentialKind: true,
      credentialExpires: true, consentState: true, lastVerifiedAt: true, source: true, _count: { select: { senders: true } },
    },
  });
  return rows.map(({ _count, ...t }) => ({ ...t, senderCount: _count.senders }));
}
