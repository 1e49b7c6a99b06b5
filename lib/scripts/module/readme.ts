import { psQuote } from "@/lib/powershell/quote";
import { moduleConfig, type ModuleOptions } from "./build-module";

/** README.txt of the module folder: install, use, secrets. Values in the examples are quoted as in the module. */
export function moduleReadme(o: ModuleOptions): string {
  const from = psQuote(o.defaultFrom || "reports@contoso.com");
  const api = o.transport === "api";
  const store = moduleConfig(o).StoreName;
  const lines = [
    "GraphMail - Send-GraphMailMessage, a drop-in replacement for Send-MailMessage",
    "=========================================================================",
    "",
    api
      ? "This copy sends through the Graph Mail Portal's REST API with a scoped API key (the portal logs every\nmessage, enforces the key's mailboxes, recipient domains, size and rate limits, and sends through Microsoft Graph)."
      : "This copy sends straight to Microsoft Graph as the tenant's Entra ID app, signing in with a certificate.\nNo Microsoft Graph PowerShell SDK is needed: only Invoke-RestMethod and .NET.",
    "It runs on Windows PowerShell 5.1 and PowerShell 7 and turns on TLS 1.2 itself.",
    "",
    "INSTALL",
    "  Copy the GraphMail folder into a folder listed in $env:PSModulePath, for example",
    "    C:\\Program Files\\WindowsPowerShell\\Modules\\GraphMail   (all users; Windows PowerShell and PowerShell 7)",
    "    $HOME\\Documents\\WindowsPowerShell\\Modules\\GraphMail      (current user, Windows PowerShell)",
    "  then:",
    "    Import-Module GraphMail",
    "  If the files came from a download, unblock them first: Get-ChildItem -Recurse <folder> | Unblock-File",
    "",
    "USE",
    "  Replace Send-MailMessage with Send-GraphMailMessage; the parameters are the same:",
    `    Send-GraphMailMessage -From ${from} -To 'it@contoso.com' -Subject 'Nightly report' -Body '<p>Done</p>' -BodyAsHtml -Attachments '.\\report.csv' -Priority High`,
    "    Get-ChildItem .\\logs\\*.log | Send-GraphMailMessage -From " + from + " -To 'it@contoso.com' -Subject 'Logs'",
    "  -SmtpServer, -Port, -UseSsl and -Credential are accepted and ignored (one warning): no SMTP server or",
    "  SMTP password is involved any more. -Priority becomes Graph's importance. -Encoding has no effect (Graph",
    "  carries Unicode). Errors are written like Send-MailMessage's (add -ErrorAction Stop to catch them) and",
    "  say what happened and what to do, in the portal's words.",
    ...(o.defaultFrom ? [`  Without -From the message is sent as ${psQuote(o.defaultFrom)}.`] : []),
    "",
  ];
  if (api) {
    lines.push(
      "THE API KEY (never written into a script)",
      "  Create a key on the portal's API keys page, granted the sender mailboxes the scripts use. The module reads it from,",
      "  in this order:",
      "    1. the -ApiKey parameter (a string or a SecureString);",
      "    2. the GRAPHMAIL_API_KEY environment variable;",
      `    3. the Windows Credential Manager: a generic credential named GraphMail/${store}/ApiKey, saved once with`,
      "         Save-GraphMailCredential -Name ApiKey -Secret (Read-Host -AsSecureString 'API key')",
      `       or with cmdkey /generic:GraphMail/${store}/ApiKey /user:ApiKey /pass (cmdkey asks for the key).`,
      "       Run this as the account that runs the scheduled task (for a service account: runas /user:<account> powershell).",
      "       A task set to 'Do not store password' cannot read the Credential Manager: use the environment variable there.",
      "    4. a file saved with Save-GraphMailCredential -Name ApiKey -Store File, protected with Windows DPAPI",
      "       (%APPDATA%\\GraphMail\\<tenant>-ApiKey.xml): only the same Windows account on the same computer can read it.",
      "",
      "WAITING FOR THE OUTCOME",
      "  By default Send-GraphMailMessage returns once the portal has queued the message (HTTP 202). Add -Wait to wait",
      "  until it was handed to Microsoft, and -PassThru to get the message id and status. The portal's History shows",
      "  every message and attempt. Retries after a network error reuse the same Idempotency-Key: never sent twice.",
      "",
    );
  } else {
    lines.push(
      "THE CERTIFICATE (never written into a script)",
      "  Create a certificate on the computer that runs the scripts and upload its public part (.cer) to the app",
      "  registration (Entra ID > App registrations > the app > Certificates & secrets > Certificates):",
      "    $cert = New-SelfSignedCertificate -Subject 'CN=GraphMail' -CertStoreLocation 'Cert:\\CurrentUser\\My' -KeyExportPolicy NonExportable -Provider 'Microsoft Software Key Storage Provider' -KeyLength 2048 -KeyAlgorithm RSA -HashAlgorithm SHA256 -NotAfter (Get-Date).AddYears(1)",
      "    Export-Certificate -Cert $cert -FilePath .\\GraphMail.cer",
      "    $cert.Thumbprint",
      "  The module finds the certificate by its thumbprint in Cert:\\CurrentUser\\My or Cert:\\LocalMachine\\My, read from,",
      "  in this order: -CertificateThumbprint, the GRAPHMAIL_CERT_THUMBPRINT environment variable, the Windows Credential",
      `  Manager (GraphMail/${store}/CertificateThumbprint) or a DPAPI file (-Store File):`,
      "    Save-GraphMailCredential -Name CertificateThumbprint -Secret (Read-Host -AsSecureString 'Thumbprint')",
      "  Or give a .pfx file: -CertificatePath (or GRAPHMAIL_PFX_PATH) and its password: -CertificatePassword,",
      "  GRAPHMAIL_PFX_PASSWORD, or Save-GraphMailCredential -Name CertificatePassword.",
      "  The account that runs the script needs read access to the private key. A key in a legacy CryptoAPI provider",
      "  may refuse SHA-256 signatures on Windows PowerShell 5.1 ('Invalid algorithm specified'): create it as above (CNG).",
      "  Signing uses .NET Framework 4.6 or later under Windows PowerShell 5.1 (GetRSAPrivateKey, ToUnixTimeSeconds): built into",
      "  Windows 10 and Windows Server 2016 and later; on Windows Server 2012 R2 install .NET Framework 4.8 first.",
      "  The app needs the Mail.Send application permission (and Mail.ReadWrite for attachments of 3 MB and more,",
      "  which use a draft and an upload session). Restrict the mailboxes it may send as: the portal's setup wizard",
      "  generates the RBAC for Applications script.",
      "",
      "EXAMPLE",
      `  Send-GraphMailMessage -From ${from} -To 'it@contoso.com' -Subject 'Backup done' -Body 'OK' -CertificateThumbprint $env:GRAPHMAIL_CERT_THUMBPRINT`,
      "",
    );
  }
  lines.push(
    "HOW THIS MODULE WAS CHECKED",
    "  The portal generates it and checks every file with a PowerShell parser (tree-sitter-powershell): that it",
    "  parses, uses no PowerShell 7-only syntax, and that its HTTP requests match the API contract. PowerShell",
    "  itself did not run it; try it on a test mailbox before replacing Send-MailMessage in production scripts.",
    "",
  );
  return lines.join("\n");
}
