import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { forbidden } from "../errors";

/** The keys page's form choices: each tenant with its listed sender mailboxes (admins only). */
export async function keyFormOptions(actor: SessionUser): Promise<{ id: string; name: string; mailboxes: { id: string; address: string }[] }[]> {
  if (actor.role !== "admin") throw forbidden("create API keys");
  return db().tenant.findMany({
    orderBy: { name: "asc" },
    select: { id: true, name: true, senders: { where: { allowed: true }, orderBy: { address: "asc" }, select: { id: true, address: true } } },
  }).then((ts) => ts.map((t) => ({ id: t.id, name: t.name, mailboxes: t.senders })));
}
