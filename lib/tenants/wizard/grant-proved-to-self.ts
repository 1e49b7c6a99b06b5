import "server-only";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { grantMailbox } from "@/lib/grants/grant-mailbox";
import { requireAdmin } from "./require-admin";

/**
 * The Done step's "Send as these mailboxes myself": the admin grants themself, explicitly and by their own
 * click, the tenant's allowed sender mailboxes whose restriction is proved (nobody is granted anything
 * implicitly: lib/grants/grant-mailbox.ts). Each grant goes through grantMailbox, so it is audited like
 * one made on the Senders page; mailboxes already granted are left as they are. Returns the addresses.
 */
export async function grantProvedToSelf(actor: SessionUser, tenantId: string): Promise<string[]> {
  requireAdmin(actor);
  const mailboxes = await db().senderMailbox.findMany({
    where: { tenantId, allowed: true, policyStatus: { in: ["allowed", "proved"] } },
    select: { id: true, address: true, grants: { where: { userId: actor.id }, select: { id: true } } },
    orderBy: { address: "asc" },
  });
  for (const m of mailboxes) {
    if (m.grants.length === 0) await grantMailbox(actor, { tenantId, mailboxId: m.id, userId: actor.id });
  }
  return mailboxes.map((m) => m.address);
}
