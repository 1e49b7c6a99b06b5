/**
 * Scripts for rotating the app registration's credential without a gap (lib/credentials): add the new
 * certificate or client secret next to the old one, and — once the portal has switched to the new one —
 * remove the old one. Graph PowerShell and Azure CLI; pure: input → script text, every value through
 * psQuote / shQuote.
 *
 * Microsoft Graph: an application holds several passwordCredentials and keyCredentials at once, each with
 * its keyId and endDateTime (learn graph/api/resources/passwordcredential, keycredential);
 * addPassword / removePassword add and remove one secret (graph/api/application-addpassword,
 * application-removepassword); PATCH keyCredentials replaces the whole certificate list
 * (graph/api/application-update), so adding keeps the old certificate in the list and removing uploads
 * the new one alone. Azure CLI: `az ad app credential reset --append` adds, `az ad app credential delete
 * --key-id` removes (learn cli/azure/ad/app/credential).
 */
import { psQuote, shQuote } from "./quote";

export interface RotationTarget {
  directoryId: string;
  clientId: string;
}

export interface CertificateRef {
  /** Base64 of the DER certificate. */
  base64: string;
  displayName: string;
  /** Hex SHA-1 thumbprint, as Entra ID lists it. */
  thumbprintSha1: string;
}

const connect = (t: RotationTarget) => [
  "# Needs the Microsoft Graph PowerShell SDK: Install-Module Microsoft.Graph -Scope CurrentUser",
  "# Sign in as an admin who may manage the app registration (Application Administrator or owner).",
  `Connect-MgGraph -TenantId ${psQuote(t.directoryId)} -Scopes ${psQuote("Application.ReadWrite.All")} -NoWelcome`,
  `$app = Get-MgApplication -Filter ${psQuote(`appId eq '${t.clientId}'`)}`,
];

const keyCredential = (name: string, c: CertificateRef) => [
  `$${name} = @{`,
  `    Type = ${psQuote("AsymmetricX509Cert")}`,
  `    Usage = ${psQuote("Verify")}`,
  `    DisplayName = ${psQuote(c.displayName)}`,
  `    Key = [System.Convert]::FromBase64String(${psQuote(c.base64)})`,
  "}",
];

/** Adds the new certificate while keeping the current one (PATCH keyCredentials replaces the list). */
export function addCertificateScript(t: RotationTarget, next: CertificateRef, keep: CertificateRef | null): string {
  return [
    "# Graph Mail Portal: credential rotation, step 1 — add the new certificate NEXT TO the current one.",
    ...connect(t),
    ...keyCredential("newCert", next),
    ...(keep ? keyCredential("currentCert", keep) : []),
    "# keyCredentials is replaced as a whole: the list below keeps the certificate the portal uses today.",
    ...(keep ? [] : ["# (The portal uses a client secret today; certificates of other programs on this app must be listed here too.)"]),
    `Update-MgApplication -ApplicationId $app.Id -KeyCredentials @(${keep ? "$currentCert, $newCert" : "$newCert"})`,
    `Write-Host ${psQuote(`New certificate added: SHA-1 thumbprint ${next.thumbprintSha1}`)}`,
    "",
  ].join("\n");
}

/** Adds a new client secret; the portal reads the value, the key id and the expiry from the output. */
export function addSecretScript(t: RotationTarget, displayName: string, endDateTime: string): string {
  return [
    "# Graph Mail Portal: credential rotation, step 1 — add a new client secret NEXT TO the current one.",
    ...connect(t),
    `$secret = Add-MgApplicationPassword -ApplicationId $app.Id -PasswordCredential @{ DisplayName = ${psQuote(displayName)}; EndDateTime = ${psQuote(endDateTime)} }`,
    "# The value is shown ONCE: paste it, with its ID, into the portal's rotation page now.",
    'Write-Host "Client secret value: $($secret.SecretText)"',
    'Write-Host "Client secret ID: $($secret.KeyId)"',
    'Write-Host "Client secret expires: $($secret.EndDateTime)"',
    "",
  ].join("\n");
}

export type OldSecret = { keyId: string } | { hint: string; notKeyId: string | null };

/** Removes the old client secret: by its key id, or (the id unknown) by the hint Entra ID shows. */
export function removeSecretScript(t: RotationTarget, old: OldSecret): string {
  const pick =
    "keyId" in old
      ? [`$oldKeyId = ${psQuote(old.keyId)}`]
      : [
          "# The portal does not know the old secret's ID: it is the secret whose hint (first three characters) is below.",
          `$old = $app.PasswordCredentials | Where-Object Hint -EQ ${psQuote(old.hint)}${old.notKeyId ? ` | Where-Object KeyId -NE ${psQuote(old.notKeyId)}` : ""}`,
          "$oldKeyId = $old.KeyId",
        ];
  return [
    "# Graph Mail Portal: credential rotation, last step — remove the OLD client secret (the portal no longer uses it).",
    ...connect(t),
    ...pick,
    "Remove-MgApplicationPassword -ApplicationId $app.Id -KeyId $oldKeyId",
    'Write-Host "Old client secret removed: $oldKeyId"',
    "",
  ].join("\n");
}

/** Removes the old certificate: keyCredentials becomes the new certificate alone (or empty after a switch to a secret). */
export function removeCertificateScript(t: RotationTarget, keep: CertificateRef | null, old: { thumbprintSha1: string }): string {
  return [
    "# Graph Mail Portal: credential rotation, last step — remove the OLD certificate (the portal no longer uses it).",
    `# Old certificate: SHA-1 thumbprint ${old.thumbprintSha1.replace(/[^0-9A-F]/gi, "")}`,
    ...connect(t),
    ...(keep ? keyCredential("newCert", keep) : []),
    "# keyCredentials is replaced as a whole: only the certificate the portal uses now stays.",
    `Update-MgApplication -ApplicationId $app.Id -KeyCredentials @(${keep ? "$newCert" : ""})`,
    'Write-Host "Old certificate removed."',
    "",
  ].join("\n");
}

/** Azure CLI: add (certificate file or secret) and remove (by key id) with `az ad app credential`. */
export function azureCliRotation(t: RotationTarget, step: { add: "certificate"; file: string } | { add: "secret"; displayName: string; endDate: string } | { remove: "secret"; keyId: string } | { remove: "certificate"; thumbprintSha1: string }): string {
  const head = ["#!/usr/bin/env bash", "set -euo pipefail", `az login --tenant ${shQuote(t.directoryId)} --allow-no-subscriptions >/dev/null`, `app_id=${shQuote(t.clientId)}`];
  if ("add" in step && step.add === "certificate") {
    return [...head, "# Step 1: add the new certificate next to the current one (--append keeps the others).", `az ad app credential reset --id "$app_id" --append --cert @${shQuote(step.file)} --output none`, ""].join("\n");
  }
  if ("add" in step) {
    return [...head, "# Step 1: add a new client secret next to the current one (--append keeps the others). Paste the value into the portal.", `az ad app credential reset --id "$app_id" --append --display-name ${shQuote(step.displayName)} --end-date ${shQuote(step.endDate)} --query password --output tsv`, ""].join("\n");
  }
  if (step.remove === "secret") {
    return [...head, "# Last step: remove the old client secret (the portal no longer uses it).", `az ad app credential delete --id "$app_id" --key-id ${shQuote(step.keyId)}`, ""].join("\n");
  }
  return [
    ...head,
    "# Last step: remove the old certificate (the portal no longer uses it), found by its SHA-1 thumbprint",
    "# (customKeyIdentifier in the CLI's list; check the list output if your CLI version shows it differently).",
    `key_id=$(az ad app credential list --id "$app_id" --cert --query ${shQuote(`[?customKeyIdentifier=='${step.thumbprintSha1.replace(/[^0-9A-F]/gi, "")}'].keyId`)} --output tsv)`,
    'az ad app credential delete --id "$app_id" --key-id "$key_id" --cert',
    "",
  ].join("\n");
}
