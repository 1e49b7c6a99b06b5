/**
 * Uploads the portal's certificate (public part only) to the app registration's keyCredentials
 * (Update-MgApplication). Pure; every value through psQuote.
 */
import { psQuote } from "./quote";

export interface CertificateUploadInput {
  directoryId: string;
  clientId: string;
  /** Base64 of the DER certificate (the .cer file's bytes). */
  certificateBase64: string;
  displayName: string;
}

export function certificateUploadScript(i: CertificateUploadInput): string {
  return [
    "# Graph Mail Portal: add the portal's certificate to the app registration (Certificates & secrets).",
    "# Only the public certificate is uploaded; the private key never leaves the portal.",
    `Connect-MgGraph -TenantId ${psQuote(i.directoryId)} -Scopes ${psQuote("Application.ReadWrite.All")} -NoWelcome`,
    `$app = Get-MgApplication -Filter ${psQuote(`appId eq '${i.clientId}'`)}`,
    "$keyCredential = @{",
    `    Type = ${psQuote("AsymmetricX509Cert")}`,
    `    Usage = ${psQuote("Verify")}`,
    `    DisplayName = ${psQuote(i.displayName)}`,
    `    Key = [System.Convert]::FromBase64String(${psQuote(i.certificateBase64)})`,
    "}",
    "# Note: KeyCredentials replaces the app's certificate list; add existing ones to keep them.",
    "Update-MgApplication -ApplicationId $app.Id -KeyCredentials @($keyCredential)",
    'Write-Host "Certificate added to $($app.DisplayName)"',
    "",
  ].join("\n");
}
