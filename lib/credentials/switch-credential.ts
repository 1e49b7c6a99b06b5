import "server-only";
import { recordAudit } from "../audit/record";
import type { SessionUser } from "../auth/session";
import { decryptSecret, encryptSecret } from "../crypto";
import { db } from "../db";
import { AppError } from "../errors";
import { ROTATION_CREDENTIAL_PURPOSE, TENANT_CREDENTIAL_PURPOSE } from "../secret-columns";
import { requireCredentialAdmin } from "./require-role";

/**
 * Rotation step 3: the verified new credential becomes the tenant's credential, and the old one moves to
 * the "previous" slot (still valid in Entra ID until the last step removes it).
 *
 * One transaction, with the tenant row locked: the write changes Tenant.updatedAt, which is the version
 * lib/graph/tokens.ts keys MSAL clients by, so every send that loads the tenant after the commit
 * (lib/outbox/process-send.ts loads it per send) asks for tokens with the new credential; a send that loaded
 * it before keeps its token from the old credential, which stays valid until it expires — Entra ID does
 * not revoke issued tokens when a credential is removed, and the removal step waits for such sends anyway.
 */
export async function switchCredential(actor: SessionUser, tenantId: string): Promise<{ switchedAt: Date }> {
  requireCredentialAdmin(actor);
  return db().$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Tenant" WHERE id = ${tenantId} FOR UPDATE`;
    if (locked.length === 0) throw new AppError("NOT_FOUND", { userMessage: "That tenant was not found.", status: 404 });
    const t = await tx.tenant.findUniqueOrThrow({
      where: { id: tenantId },
      select: { id: true, name: true, credentialKind: true, credentialCipher: true, certificatePem: true, certThumbprint: true, credentialExpires: true, credentialKeyId: true, rotationCredentials: true },
    });
    const next = t.rotationCredentials.find((c) => c.slot === "next");
    if (!next) throw new AppError("ROTATION_NOTHING_TO_SWITCH", { userMessage: "Add and verify a new certificate or secret first.", status: 409 });
    if (!next.verifiedAt) throw new AppError("ROTATION_NOT_VERIFIED", { userMessage: "Verify the new credential with a real token before switching to it.", status: 409 });
    if (t.rotationCredentials.some((c) => c.slot === "previous")) throw new AppError("ROTATION_REMOVE_PENDING", { userMessage: "Remove the credential of the last rotation first.", status: 409 });
    if (t.credentialKind === "none" || !t.credentialCipher) throw new AppError("TENANT_NO_CREDENTIAL", { userMessage: "The tenant has no current credential.", status: 409 });

    const switchedAt = new Date();
    const currentPlain = decryptSecret(t.credentialCipher, { purpose: TENANT_CREDENTIAL_PURPOSE, rowId: t.id });
    const nextPlain = decryptSecret(next.credentialCipher, { purpose: ROTATION_CREDENTIAL_PURPOSE, rowId: next.id });
    await tx.tenantCredential.delete({ where: { id: next.id } });
    const prev = await tx.tenantCredential.create({
      data: {
        tenantId, slot: "previous", kind: t.credentialKind, credentialCipher: "pending", certificatePem: t.certificatePem, certThumbprint: t.certThumbprint,
        keyId: t.credentialKeyId, expiresAt: t.credentialExpires, verifiedAt: null, createdById: actor.id, switchedAt,
      },
      select: { id: true },
    });
    await tx.tenantCredential.update({ where: { id: prev.id }, data: { credentialCipher: encryptSecret(currentPlain, { purpose: ROTATION_CREDENTIAL_PURPOSE, rowId: prev.id }) } });
    await tx.tenant.update({
      where: { id: tenantId },
      data: {
        credentialKind: next.kind,
        credentialCipher: encryptSecret(nextPlain, { purpose: TENANT_CREDENTIAL_PURPOSE, rowId: tenantId }),
        certificatePem: next.kind === "certificate" ? next.certificatePem : null,
        certThumbprint: next.kind === "certificate" ? next.certThumbprint : null,
        credentialExpires: next.expiresAt,
        credentialKeyId: next.keyId,
      },
    });
    await recordAudit({
      actor, action: "credential.rotation-switched", target: t.name, tenantId,
      before: { kind: t.credentialKind, expires: t.credentialExpires?.toISOString() ?? null },
      after: { kind: next.kind, expires: next.expiresAt?.toISOString() ?? null },
    }, tx);
    return { switchedAt };
  });
}
