"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { action } from "@/lib/action";
import { tenantStepSchema } from "@/lib/schemas/wizard";
import { saveTenantStep } from "@/lib/tenants/wizard/save-tenant-step";

export const updateTenantAction = action(
  { schema: tenantStepSchema.extend({ tenantId: z.string().min(1).max(64) }), roles: ["admin"], what: "set up tenants" },
  async ({ tenantId, ...input }, { user }) => {
    await saveTenantStep(user!, input, tenantId);
    revalidatePath(`/setup/${tenantId}`, "layout");
    redirect(`/setup/${tenantId}/register`);
  },
);
