import "server-only";
import { recordAudit } from "../audit/record";
import type { SessionUser } from "../auth/session";
import { encryptSecret } from "../crypto";
import { db } from "../db";
import { AppError } from "../errors";
import { ROTATION_CREDENTIAL_PURPOSE } from "../secret-columns";
import { requireCredentialAdmin } from "./require-role";
import { declaredInFile, tenantForRotation } from "./tenant-for-rotation";

/**
 * Rotation step 1 (client secret): the new secret — added to the app registration next to the current one
 * by the generated script — is stored as the tenant's "next" credential, encrypted, with its Entra key id
 * (so the last step can remove it by id one day) and its expiry. It is never shown again.
 */
export async function saveNextSecret(actor: SessionUser, tenantId: string, input: { secret: string; keyId?: string | null; expires: Date }): Promise<void> {
  requireCredentialAdmin(actor);
  const t = await tenantForRotation(tenantId);
  if (!t.clientId || t.credentialKind === "none") throw new AppError("TENANT_NOT_READY", { userMessage: `Tenant "${t.name}" has no credential to rotate yet: finish its setup first.`, status: 409 });
  if (declaredInFile(t)) throw new AppError("TENANT_DECLARED_IN_FILE", { userMessage: `Tenant "${t.name}" is declared in PORTAL_TENANTS_FILE, whose client secret is written back at every start: add the new secret to Entra ID, put it in the file, restart, then remove the old one.`, status: 409 });
  if (t.previous) throw new AppError("ROTATION_REMOVE_PENDING", { userMessage: "Finish the current rotation first: remove the old credential.", status: 409 });
  await db().$transaction(async (tx) => {
    await tx.tenantCredential.deleteMany({ where: { tenantId, slot: "next" } });
    const row = await tx.tenantCredential.create({
      data: { tenantId, slot: "next", kind: "secret", credentialCipher: "pending", keyId: input.keyId?.toLowerCase() ?? null, expiresAt: input.expires, createdById: actor.id },
      select: { id: true },
    });
    await tx.tenantCredential.update({ where: { id: row.id }, data: { credentialCipher: encryptSecret(input.secret, { purpose: ROTATION_CREDENTIAL_PURPOSE, rowId: row.id }) } });
    await recordAudit({ actor, action: "credential.rotation-added", target: t.name, tenantId, after: { kind: "secret", keyId: input.keyId ?? null, expires: input.expires.toISOString() } }, tx);
  });
}
