"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { action } from "@/lib/action";
import { clientIdSchema, plannedCredentialSchema } from "@/lib/schemas/wizard";
import { saveClientId } from "@/lib/tenants/wizard/save-client-id";
import { setPlannedCredential } from "@/lib/tenants/wizard/set-planned-credential";

const withTenant = { tenantId: z.string().min(1).max(64) };

export const saveClientIdAction = action({ schema: clientIdSchema.extend(withTenant), roles: ["admin"], what: "set up tenants" }, async ({ tenantId, clientId }, { user }) => {
  await saveClientId(user!, tenantId, clientId);
  revalidatePath(`/setup/${tenantId}`, "layout");
  redirect(`/setup/${tenantId}/credential`);
});

export const planCredentialAction = action({ schema: plannedCredentialSchema.extend(withTenant), roles: ["admin"], what: "set up tenants" }, async ({ tenantId, credential }, { user }) => {
  await setPlannedCredential(user!, tenantId, credential);
  revalidatePath(`/setup/${tenantId}/register`);
  return { status: "ok" as const, message: credential === "secret" ? "The scripts now create a client secret." : "The scripts now leave the credential to the portal's certificate." };
});
