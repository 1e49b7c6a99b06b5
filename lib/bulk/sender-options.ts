import "server-only";
import type { SessionUser } from "../auth/session";
import { db } from "../db";
import { grantedMailboxes } from "../grants/may-send";
import { mayCreateRuns } from "./access";

/** The mailboxes a person may start a bulk run from (their grants), with whether the tenant lets runs list its users. */
export interface BulkSender {
  tenantId: string;
  tenantName: string;
  address: string;
  directory: boolean;
}

export async function bulkSenderOptions(actor: SessionUser): Promise<BulkSender[]> {
  if (!mayCreateRuns(actor)) return [];
  const granted = await grantedMailboxes(actor.id);
  const tenants = await db().tenant.findMany({ where: { id: { in: [...new Set(granted.map((g) => g.tenantId))] }, useApplication: true, clientId: { not: null } }, select: { id: true, name: true, bulkDirectory: true } });
  const byId = new Map(tenants.map((t) => [t.id, t]));
  return granted.flatMap((g) => {
    const t = byId.get(g.tenantId);
    return t ? [{ tenantId: t.id, tenantName: t.name, address: g.address, directory: t.bulkDirectory }] : [];
  });
}
