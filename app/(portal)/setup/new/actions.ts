"use server";
import { redirect } from "next/navigation";
import { action } from "@/lib/action";
import { tenantStepSchema } from "@/lib/schemas/wizard";
import { saveTenantStep } from "@/lib/tenants/wizard/save-tenant-step";

export const createTenantAction = action({ schema: tenantStepSchema, roles: ["admin"], what: "set up tenants" }, async (input, { user }) => {
  const id = await saveTenantStep(user!, input);
  redirect(`/setup/${id}/register`);
});
