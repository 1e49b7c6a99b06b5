"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/action";
import { proveRestriction } from "@/lib/tenants/wizard/prove-restriction";

export const proveAction = action({ schema: z.object({ tenantId: z.string().min(1).max(64) }), roles: ["admin"], what: "set up tenants" }, async ({ tenantId }, { user }) => {
  const proof = await proveRestriction(user!, tenantId);
  revalidatePath(`/setup/${tenantId}`, "layout");
  // Only a proof earns a (green) toast; anything else is shown on the page itself, in red.
  return proof.ok ? { status: "ok" as const, message: "Proved: the allowed mailbox sends, the other one is refused." } : { status: "ok" as const };
});
