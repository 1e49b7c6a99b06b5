import "server-only";
import { recordAudit } from "../audit/record";
import type { SessionUser } from "../auth/session";
import { encryptSecret } from "../crypto";
import { db } from "../db";
import { AppError } from "../errors";
import { ROTATION_CREDENTIAL_PURPOSE } from "../secret-columns";
import { makeClientCertificate } from "../tenants/wizard/generate-certificate";
import { portalNow } from "./clock";
import { requireCredentialAdmin } from "./require-role";
import { declaredInFile, tenantForRotation } from "./tenant-for-rotation";

/**
 * Rotation step 1 (certificate): the portal makes a new key pair and certificate and keeps it as the
 * tenant's "next" credential, encrypted; the current credential keeps serving every send. The public
 * certificate then goes to the app registration NEXT TO the current one (lib/powershell/credential-rotation.ts).
 */
export async function addNextCertificate(actor: SessionUser, tenantId: string, years: 1 | 2): Promise<{ thumbprintSha1: string; expires: Date }> {
  requireCredentialAdmin(actor);
  const t = await tenantForRotation(tenantId);
  if (!t.clientId || t.credentialKind === "none") throw new AppError("TENANT_NOT_READY", { userMessage: `Tenant "${t.name}" has no credential to rotate yet: finish its setup first.`, status: 409 });
  if (declaredInFile(t)) throw new AppError("TENANT_DECLARED_IN_FILE", { userMessage: `Tenant "${t.name}" is declared in PORTAL_TENANTS_FILE, whose client secret is written back at every start: add the new secret to Entra ID, put it in the file, restart, then remove the old one.`, status: 409 });
  if (t.previous) throw new AppError("ROTATION_REMOVE_PENDING", { userMessage: "Finish the current rotation first: remove the old credential.", status: 409 });
  const c = makeClientCertificate(years, "Graph Mail Portal", await portalNow());
  await db().$transaction(async (tx) => {
    await tx.tenantCredential.deleteMany({ where: { tenantId, slot: "next" } });
    const row = await tx.tenantCredential.create({
      data: { tenantId, slot: "next", kind: "certificate", credentialCipher: "pending", certificatePem: c.certificatePem, certThumbprint: c.thumbprintSha256, expiresAt: c.notAfter, createdById: actor.id },
      select: { id: true },
    });
    // The ciphertext is bound to the row's id (lib/crypto.ts): create the row, then write it.
    await tx.tenantCredential.update({ where: { id: row.id }, data: { credentialCipher: encryptSecret(c.privateKeyPem, { purpose: ROTATION_CREDENTIAL_PURPOSE, rowId: row.id }) } });
    await recordAudit({ actor, action: "credential.rotation-added", target: t.name, tenantId, after: { kind: "certificate", thumbprintSha1: c.thumbprintSha1, expires: c.notAfter.toISOString() } }, tx);
  });
  return { thumbprintSha1: c.thumbprintSha1, expires: c.notAfter };
}
