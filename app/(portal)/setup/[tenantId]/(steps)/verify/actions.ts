"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/action";
import { verifyTenant, type Verification } from "@/lib/tenants/wizard/verify-tenant";

export const verifyAction = action({ schema: z.object({ tenantId: z.string().min(1).max(64) }), roles: ["admin"], what: "set up tenants" }, async ({ tenantId }, { user }) => {
  const data: Verification = await verifyTenant(user!, tenantId);
  revalidatePath(`/setup/${tenantId}`, "layout");
  // The page shows the result itself: no toast repeating it.
  return { status: "ok" as const, data };
});
