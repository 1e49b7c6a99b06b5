"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { action } from "@/lib/action";
import { markConsentElsewhere } from "@/lib/tenants/wizard/record-consent";

export const consentElsewhereAction = action({ schema: z.object({ tenantId: z.string().min(1).max(64) }), roles: ["admin"], what: "set up tenants" }, async ({ tenantId }, { user }) => {
  await markConsentElsewhere(user!, tenantId);
  revalidatePath(`/setup/${tenantId}`, "layout");
  redirect(`/setup/${tenantId}/verify`);
});
