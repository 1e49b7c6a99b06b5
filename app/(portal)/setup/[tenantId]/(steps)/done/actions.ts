"use server";
import { redirect } from "next/navigation";
import { z } from "zod";
import { action } from "@/lib/action";
import { grantProvedToSelf } from "@/lib/tenants/wizard/grant-proved-to-self";

/** "Send as these mailboxes myself": grants the admin the proved mailboxes, then opens Compose. */
export const sendAsProvedAction = action({ schema: z.object({ tenantId: z.string().min(1).max(64) }), roles: ["admin"], what: "grant sender mailboxes" }, async ({ tenantId }, { user }) => {
  const [first] = await grantProvedToSelf(user!, tenantId);
  // Compose opens on this tenant and its first proved mailbox, whatever other tenants the admin can send from.
  redirect(`/compose?${new URLSearchParams(first ? { tenant: tenantId, from: first } : { tenant: tenantId })}`);
});
