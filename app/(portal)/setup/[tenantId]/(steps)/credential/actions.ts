"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/action";
import { certificateSchema, secretSchema } from "@/lib/schemas/wizard";
import { generateTenantCertificate } from "@/lib/tenants/wizard/generate-certificate";
import { saveSecret } from "@/lib/tenants/wizard/save-secret";

const withTenant = { tenantId: z.string().min(1).max(64) };

export const saveSecretAction = action(
  { schema: secretSchema.extend(withTenant), roles: ["admin"], what: "set up tenants", secret: ["secret"] },
  async ({ tenantId, secret, expires }, { user }) => {
    const r = await saveSecret(user!, tenantId, secret, expires);
    revalidatePath(`/setup/${tenantId}`, "layout");
    return { status: "ok" as const, message: r.note ?? "Client secret saved (encrypted). It will not be shown again." };
  },
);

export const generateCertificateAction = action({ schema: certificateSchema.extend(withTenant), roles: ["admin"], what: "set up tenants" }, async ({ tenantId, years }, { user }) => {
  await generateTenantCertificate(user!, tenantId, years === 2 ? 2 : 1);
  revalidatePath(`/setup/${tenantId}`, "layout");
  return { status: "ok" as const, message: "Certificate generated. Upload it to the app registration." };
});
