import "server-only";
import { decryptSecret } from "../crypto";
import { AppError } from "../errors";
import { addCertificateScript, addSecretScript, azureCliRotation, removeCertificateScript, removeSecretScript, type CertificateRef } from "../powershell/credential-rotation";
import { ROTATION_CREDENTIAL_PURPOSE } from "../secret-columns";
import { certificateBase64 } from "../tenants/wizard/tenant-scripts";
import { certificateThumbprints } from "../tenants/wizard/generate-certificate";
import type { RotationState } from "./tenant-for-rotation";

export type RotationScriptKind = "add-certificate" | "add-secret" | "remove";
export const ROTATION_SCRIPT_KINDS: readonly RotationScriptKind[] = ["add-certificate", "add-secret", "remove"];

export interface RotationScripts { powershell: { text: string; filename: string }; azureCli: { text: string; filename: string } }

const certRef = (pem: string, displayName: string): CertificateRef => ({ base64: certificateBase64(pem), displayName, thumbprintSha1: certificateThumbprints(pem).sha1 });

/** The generated scripts for one rotation step (admins only: the caller checked). */
export function rotationScripts(t: RotationState, kind: RotationScriptKind, now: Date): RotationScripts {
  if (!t.clientId) throw new AppError("TENANT_NO_APP", { userMessage: "The tenant has no app registration.", status: 409 });
  const target = { directoryId: t.directoryId, clientId: t.clientId };
  const stamp = now.toISOString().slice(0, 10);
  if (kind === "add-certificate") {
    if (!t.next || t.next.kind !== "certificate" || !t.next.certificatePem) throw needs("a new certificate (Add a certificate)");
    const keep = t.credentialKind === "certificate" && t.certificatePem ? certRef(t.certificatePem, "Graph Mail Portal certificate") : null;
    return {
      powershell: { text: addCertificateScript(target, certRef(t.next.certificatePem, `Graph Mail Portal certificate ${stamp}`), keep), filename: "rotate-add-certificate.ps1" },
      azureCli: { text: azureCliRotation(target, { add: "certificate", file: "graph-mail-portal-next.cer" }), filename: "rotate-add-certificate.sh" },
    };
  }
  if (kind === "add-secret") {
    // Microsoft recommends secrets shorter than 12 months; six months, like the setup wizard.
    const end = new Date(now.getTime() + 182 * 86_400_000).toISOString().slice(0, 10);
    return {
      powershell: { text: addSecretScript(target, `Graph Mail Portal ${stamp}`, `${end}T00:00:00Z`), filename: "rotate-add-secret.ps1" },
      azureCli: { text: azureCliRotation(target, { add: "secret", displayName: `Graph Mail Portal ${stamp}`, endDate: end }), filename: "rotate-add-secret.sh" },
    };
  }
  const old = t.previous;
  if (!old) throw needs("a switch to the new credential (Switch)");
  if (old.kind === "secret") {
    // Unknown key id: the hint Entra ID shows (the secret's first three characters, not a secret itself).
    const which = old.keyId ? { keyId: old.keyId } : { hint: decryptSecret(old.credentialCipher, { purpose: ROTATION_CREDENTIAL_PURPOSE, rowId: old.id }).slice(0, 3), notKeyId: t.credentialKeyId };
    return {
      powershell: { text: removeSecretScript(target, which), filename: "rotate-remove-old-secret.ps1" },
      azureCli: { text: old.keyId ? azureCliRotation(target, { remove: "secret", keyId: old.keyId }) : "# The old secret's ID is not known to the portal: find it under Certificates & secrets (Secret ID) and run\n# az ad app credential delete --id <client id> --key-id <Secret ID>\n", filename: "rotate-remove-old-secret.sh" },
    };
  }
  if (!old.certificatePem) throw needs("the old certificate");
  const oldSha1 = certificateThumbprints(old.certificatePem).sha1;
  if (t.credentialKind !== "certificate" || !t.certificatePem) {
    // From a certificate to a secret: keyCredentials becomes empty.
    return {
      powershell: { text: removeCertificateScript(target, null, { thumbprintSha1: oldSha1 }), filename: "rotate-remove-old-certificate.ps1" },
      azureCli: { text: azureCliRotation(target, { remove: "certificate", thumbprintSha1: oldSha1 }), filename: "rotate-remove-old-certificate.sh" },
    };
  }
  return {
    powershell: { text: removeCertificateScript(target, certRef(t.certificatePem, "Graph Mail Portal certificate"), { thumbprintSha1: oldSha1 }), filename: "rotate-remove-old-certificate.ps1" },
    azureCli: { text: azureCliRotation(target, { remove: "certificate", thumbprintSha1: oldSha1 }), filename: "rotate-remove-old-certificate.sh" },
  };
}

const needs = (what: string) => new AppError("ROTATION_STEP_MISSING", { userMessage: `This script needs ${what} first.`, status: 409 });
