"use server";
import { revalidatePath } from "next/cache";
import { action } from "@/lib/action";
import { addNextCertificate } from "@/lib/credentials/add-next-certificate";
import { confirmRemoval } from "@/lib/credentials/confirm-removal";
import { runRotationScript, type RotationRun } from "@/lib/credentials/run-rotation-script";
import { saveAlertSetting } from "@/lib/credentials/save-alert-setting";
import { saveNextSecret } from "@/lib/credentials/save-next-secret";
import { switchCredential } from "@/lib/credentials/switch-credential";
import { verifyNext } from "@/lib/credentials/verify-next";
import { alertSenderSchema, rotationCertificateSchema, rotationRunSchema, rotationSecretSchema, rotationTenantSchema } from "@/lib/schemas/credentials";

// Credential lifecycle (lib/credentials): every action is for admins; each lib op checks the role again.
const opts = { roles: ["admin"] as const, what: "rotate credentials" };
const refresh = (tenantId?: string) => {
  revalidatePath("/settings/credentials");
  if (tenantId) revalidatePath(`/settings/credentials/${tenantId}`);
};

export const saveAlertSenderAction = action({ schema: alertSenderSchema, ...opts, what: "choose who mails credential warnings" }, async (input, { user }) => {
  await saveAlertSetting(user!, input);
  refresh();
  return { status: "ok", message: `Warnings will be mailed from ${input.fromAddress}, as your send.` };
});

export const addRotationCertificateAction = action({ schema: rotationCertificateSchema, ...opts }, async ({ tenantId, years }, { user }) => {
  const c = await addNextCertificate(user!, tenantId, years === 2 ? 2 : 1);
  refresh(tenantId);
  return { status: "ok", message: `New certificate made (SHA-1 ${c.thumbprintSha1}). Add it to the app registration next to the current one.` };
});

export const saveRotationSecretAction = action({ schema: rotationSecretSchema, ...opts, secret: ["secret"] }, async ({ tenantId, secret, expires, keyId }, { user }) => {
  await saveNextSecret(user!, tenantId, { secret, keyId: keyId ?? null, expires: new Date(`${expires}T23:59:59Z`) });
  refresh(tenantId);
  return { status: "ok", message: "New secret saved, encrypted. Verify it next." };
});

export const runRotationScriptAction = action({ schema: rotationRunSchema, ...opts }, async ({ tenantId, kind }, { user }) => {
  const run: RotationRun = await runRotationScript(user!, tenantId, kind);
  refresh(tenantId);
  return { status: "ok" as const, data: run };
});

export const verifyRotationAction = action({ schema: rotationTenantSchema, ...opts }, async ({ tenantId }, { user }) => {
  await verifyNext(user!, tenantId);
  refresh(tenantId);
  return { status: "ok", message: "Entra ID issued a token with the new credential." };
});

export const switchCredentialAction = action({ schema: rotationTenantSchema, ...opts }, async ({ tenantId }, { user }) => {
  await switchCredential(user!, tenantId);
  refresh(tenantId);
  return { status: "ok", message: "Switched: new sends use the new credential." };
});

export const confirmRemovalAction = action({ schema: rotationTenantSchema, ...opts }, async ({ tenantId }, { user }) => {
  const { code } = await confirmRemoval(user!, tenantId);
  refresh(tenantId);
  return { status: "ok", message: `The old credential is gone: Entra ID refused it (${code}).` };
});
