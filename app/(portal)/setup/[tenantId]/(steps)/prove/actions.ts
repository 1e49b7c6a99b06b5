"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/action";
import { proveRestriction } from "@/lib/tenants/wizard/prove-restriction";

export const proveAction = action({ schema: z.object({ tenantId: z.string().min(1).max(64) }), roles: ["admin"], what: "set up tenants" }, async ({ tenantId }, { user }) => {
  const proof = await proveRestriction(user!, tenantId);
  revalidatePath(`/setup/${tenantId}`, "layout");
  return { status: "ok" as const, message: proof.ok ? "Proved: the allowed mailbox sends, the other one is refused." : "Checked: see the results." };
});
