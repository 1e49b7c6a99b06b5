import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { assertMayManageDevices } from "./access";

/** The device forms' choices: each tenant with its listed (allowed) sender mailboxes (admins only). */
export async function deviceFormOptions(actor: SessionUser): Promise<{ id: string; name: string; mailboxes: { id: string; address: string }[] }[]> {
  assertMayManageDevices(actor, "add SMTP devices");
  const tenants = await db().tenant.findMany({
    orderBy: { name: "asc" },
    select: { id: true, name: true, senders: { where: { allowed: true }, orderBy: { address: "asc" }, select: { id: true, address: true } } },
  });
  return tenants.map((t) => ({ id: t.id, name: t.name, mailboxes: t.senders }));
}
