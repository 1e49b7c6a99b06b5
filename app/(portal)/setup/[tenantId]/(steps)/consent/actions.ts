"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { action } from "@/lib/action";
import { AppError } from "@/lib/errors";
import { startAdminConsent } from "@/lib/tenants/wizard/consent-url";
import { markConsentElsewhere } from "@/lib/tenants/wizard/record-consent";

const tenantInput = z.object({ tenantId: z.string().min(1).max(64) });

export const consentElsewhereAction = action({ schema: tenantInput, roles: ["admin"], what: "set up tenants" }, async ({ tenantId }, { user }) => {
  await markConsentElsewhere(user!, tenantId);
  revalidatePath(`/setup/${tenantId}`, "layout");
  redirect(`/setup/${tenantId}/verify`);
});

/** "Open admin consent": issues a single-use state for this admin's session, then goes to Microsoft. */
export const startConsentAction = action({ schema: tenantInput, roles: ["admin"], what: "set up tenants" }, async ({ tenantId }, { user }) => {
  const url = await startAdminConsent(user!, tenantId);
  if (!url) throw new AppError("NO_CLIENT_ID", { userMessage: "Enter the app's client ID in the Register step first.", status: 400 });
  redirect(url);
});
