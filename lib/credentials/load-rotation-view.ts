import "server-only";
import type { SessionUser } from "../auth/session";
import { certificateThumbprints } from "../tenants/wizard/generate-certificate";
import { portalNow } from "./clock";
import { sendsStillOnOldCredential } from "./confirm-removal";
import { daysLeft, expiryState, type ExpiryState } from "./expiry";
import { requireCredentialReader } from "./require-role";
import { rotationScripts, type RotationScripts, type RotationScriptKind } from "./rotation-scripts";
import { declaredInFile, rotationStep, tenantForRotation } from "./tenant-for-rotation";

export interface CredentialView { kind: string; expiresAt: Date | null; daysLeft: number | null; state: ExpiryState; thumbprintSha1: string | null; keyId: string | null; verifiedAt: Date | null }

/**
 * The rotation page's data: no credential material, only kinds, expiries, thumbprints and key ids, and —
 * for admins — the generated scripts of the current step. Admins and auditors.
 */
export async function loadRotationView(actor: SessionUser, tenantId: string) {
  requireCredentialReader(actor);
  const t = await tenantForRotation(tenantId);
  const now = await portalNow();
  const view = (c: { kind: string; expiresAt: Date | null; certificatePem: string | null; keyId: string | null; verifiedAt?: Date | null }): CredentialView => ({
    kind: c.kind, expiresAt: c.expiresAt, daysLeft: daysLeft(c.expiresAt, now), state: expiryState(c.expiresAt, now),
    thumbprintSha1: c.certificatePem ? certificateThumbprints(c.certificatePem).sha1 : null, keyId: c.keyId, verifiedAt: c.verifiedAt ?? null,
  });
  const step = rotationStep(t);
  let scripts: { kind: RotationScriptKind; scripts: RotationScripts } | null = null;
  if (actor.role === "admin" && t.clientId && t.credentialKind !== "none" && !declaredInFile(t)) {
    const kind: RotationScriptKind | null = step === "remove" ? "remove" : t.next?.kind === "certificate" ? "add-certificate" : step === "add" || t.next?.kind === "secret" ? "add-secret" : null;
    if (kind) scripts = { kind, scripts: rotationScripts(t, kind, now) };
  }
  return {
    tenant: { id: t.id, name: t.name, cloud: t.cloud, ready: !!t.clientId && t.credentialKind !== "none", declaredInFile: declaredInFile(t) },
    current: t.credentialKind === "none" ? null : view({ kind: t.credentialKind, expiresAt: t.credentialExpires, certificatePem: t.certificatePem, keyId: t.credentialKeyId }),
    next: t.next ? view(t.next) : null,
    previous: t.previous ? view(t.previous) : null,
    step,
    inFlight: t.previous?.switchedAt ? await sendsStillOnOldCredential(t.id, t.previous.switchedAt) : 0,
    scripts,
    now,
  };
}
