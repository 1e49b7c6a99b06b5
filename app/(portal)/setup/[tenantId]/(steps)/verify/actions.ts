"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/action";
import { verifyTenant, type Verification } from "@/lib/tenants/wizard/verify-tenant";

export const verifyAction = action({ schema: z.object({ tenantId: z.string().min(1).max(64) }), roles: ["admin"], what: "set up tenants" }, async ({ tenantId }, { user }) => {
  const data: Verification = await verifyTenant(user!, tenantId);
  revalidatePath(`/setup/${tenantId}`, "layout");
  return { status: "ok" as const, data, message: data.missingMailSend ? undefined : data.scopedByRbac ? "Verified: no tenant-wide grant left; Exchange RBAC decides." : "Verified: Entra ID issued a token." };
});
