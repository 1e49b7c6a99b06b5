import "server-only";
import { recordAudit } from "@/lib/audit/record";
import type { SessionUser } from "@/lib/auth/session";
import { encryptSecret } from "@/lib/crypto";
import { db } from "@/lib/db";
import { AppError, notFound } from "@/lib/errors";
import { CREDENTIAL_PURPOSE, toAccess } from "@/lib/graph/tenant-access";
import { appToken } from "@/lib/graph/tokens";
import { requireAdmin } from "./require-admin";
import { furthest } from "./wizard-data";

/** Secret problems a token request proves; anything else (consent missing, say) is for later steps. */
const SECRET_ERRORS = ["AADSTS7000215", "AADSTS7000222", "AADSTS7000218"];

/**
 * Step 3 (secret): tries the secret with a real token request first, so a mistyped secret (or its ID
 * pasted instead of its value) is explained now; then stores it encrypted. It is never shown again.
 */
export async function saveSecret(actor: SessionUser, tenantId: string, secret: string, expires: string): Promise<{ note?: string }> {
  requireAdmin(actor);
  const t = await db().tenant.findUnique({
    where: { id: tenantId },
    select: { id: true, name: true, cloud: true, directoryId: true, clientId: true, loginUrl: true, graphUrl: true, wizardStep: true, credentialKind: true },
  });
  if (!t) throw notFound("That tenant");
  if (!t.clientId) throw new AppError("TENANT_NO_APP", { userMessage: "Enter the app's client ID in the Register step first.", status: 409 });
  const cipher = encryptSecret(secret, { purpose: CREDENTIAL_PURPOSE, rowId: t.id });
  let note: string | undefined;
  try {
    const access = toAccess({ ...t, credentialKind: "secret", credentialCipher: cipher, certificatePem: null, certThumbprint: null, updatedAt: new Date() });
    await appToken({ ...access, version: `try-${Date.now()}` }, { skipCache: true });
  } catch (err) {
    if (err instanceof AppError && SECRET_ERRORS.includes(err.code)) {
      await recordAudit({ actor, action: "tenant.credential-refused", target: t.name, tenantId, after: { kind: "secret", code: err.code } });
      throw new AppError(err.code, { userMessage: err.userMessage, status: 422, fields: { secret: err.userMessage }, details: err.details });
    }
    note = err instanceof AppError ? `Saved. Entra ID did not issue a token yet: ${err.userMessage}` : "Saved. The secret could not be tried yet; the Verify step will.";
  }
  const expiresAt = new Date(`${expires}T23:59:59Z`);
  await db().tenant.update({
    where: { id: tenantId },
    data: { credentialKind: "secret", credentialCipher: cipher, certificatePem: null, certThumbprint: null, credentialExpires: expiresAt, wizardStep: furthest(t.wizardStep, "consent") },
  });
  await recordAudit({ actor, action: "tenant.credential-set", target: t.name, tenantId, before: { kind: t.credentialKind }, after: { kind: "secret", expires: expiresAt.toISOString() } });
  return note ? { note } : {};
}
