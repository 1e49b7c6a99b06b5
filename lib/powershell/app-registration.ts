/**
 * Microsoft Graph PowerShell script that registers the portal's Entra ID app (GRAPH-FACTS §8):
 * New-MgApplication with requiredResourceAccess for exactly the chosen permissions, the service
 * principal, admin consent for the application permissions (app role assignments) and, for a client
 * secret, Add-MgApplicationPassword. Pure: input → script text; every value through psQuote.
 */
import { GRAPH_APP_ID, appRoles, requiredPermissions, type Usage } from "./permissions";
import { psArray, psQuote } from "./quote";

export interface RegistrationInput extends Usage {
  displayName: string;
  /** Directory (tenant) id or verified domain. */
  directoryId: string;
  /** <PORTAL_URL>/api/auth/callback/microsoft — registered when people sign in (delegated). */
  signInRedirectUri: string;
  /** <PORTAL_URL>/api/setup/consent — where admin consent returns. */
  consentRedirectUri: string;
  credential: "secret" | "certificate";
  /** ISO date: when the client secret expires (Microsoft recommends under 12 months). */
  secretEndDateTime: string;
}

export function registrationRedirectUris(i: Pick<RegistrationInput, "useDelegated" | "signInRedirectUri" | "consentRedirectUri">): string[] {
  return i.useDelegated ? [i.signInRedirectUri, i.consentRedirectUri] : [i.consentRedirectUri];
}

export function graphPowerShellRegistration(i: RegistrationInput): string {
  const perms = requiredPermissions(i);
  // One entry per line, commas between entries, the permission's name as a trailing comment.
  const access = perms.map((p, n) => `            @{ Id = ${psQuote(p.id)}; Type = ${psQuote(p.type)} }${n < perms.length - 1 ? "," : ""} # ${p.name} (${p.type === "Role" ? "application" : "delegated"})`);
  const lines = [
    "# Graph Mail Portal: register the Entra ID app that sends mail through Microsoft Graph.",
    "# Needs the Microsoft Graph PowerShell SDK: Install-Module Microsoft.Graph -Scope CurrentUser",
    "# Sign in as a Global Administrator (or Privileged Role Administrator, who may grant app roles).",
    `Connect-MgGraph -TenantId ${psQuote(i.directoryId)} -Scopes ${psArray(["Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All"])} -NoWelcome`,
    "",
    "# Microsoft Graph's own service principal: the permissions below are its app roles and scopes.",
    `$graphSp = Get-MgServicePrincipal -Filter ${psQuote(`appId eq '${GRAPH_APP_ID}'`)}`,
    "",
    "# Exactly the permissions the portal needs, and why:",
    ...perms.map((p) => `#   ${p.name} (${p.type === "Role" ? "application" : "delegated"}): ${p.why}.`),
    "$appParams = @{",
    `    DisplayName = ${psQuote(i.displayName)}`,
    `    SignInAudience = ${psQuote("AzureADMyOrg")}`,
    "    # Where admin consent returns to the portal" + (i.useDelegated ? ", and where Microsoft sign-in does." : "."),
    `    Web = @{ RedirectUris = ${psArray(registrationRedirectUris(i))} }`,
    "    RequiredResourceAccess = @(",
    `        @{ ResourceAppId = ${psQuote(GRAPH_APP_ID)}; ResourceAccess = @(`,
    ...access,
    "        ) }",
    "    )",
    "}",
    "$app = New-MgApplication @appParams",
    "$sp = New-MgServicePrincipal -AppId $app.AppId",
    'Write-Host "Application (client) ID: $($app.AppId)"',
    'Write-Host "Enterprise application (service principal) object ID: $($sp.Id)"',
  ];
  const roles = appRoles(i);
  if (i.messageTrace) {
    lines.push(
      "",
      "# Message trace also needs Microsoft's message trace service principal in the tenant, once (learn.microsoft.com/graph/api/resources/exchangemessagetrace#prerequisites):",
      "# New-MgServicePrincipal -AppId 8bd644d1-64a1-4d4b-ae52-2e0cbf64e373",
    );
  }
  if (roles.length) {
    lines.push("", "# Admin consent for the application permissions: assign each app role of Graph to the app.");
    for (const r of roles) {
      lines.push(`New-MgServicePrincipalAppRoleAssignedTo -ServicePrincipalId $graphSp.Id -PrincipalId $sp.Id -ResourceId $graphSp.Id -AppRoleId ${psQuote(r.id)}`);
    }
  }
  if (i.credential === "secret") {
    lines.push(
      "",
      "# A client secret. Its value is shown ONCE: paste it into the portal's credential step now.",
      `$secret = Add-MgApplicationPassword -ApplicationId $app.Id -PasswordCredential @{ DisplayName = ${psQuote("Graph Mail Portal")}; EndDateTime = ${psQuote(i.secretEndDateTime)} }`,
      'Write-Host "Client secret value: $($secret.SecretText)"',
      'Write-Host "Client secret expires: $($secret.EndDateTime)"',
    );
  } else {
    lines.push("", "# The certificate credential is added in the portal's next step (the portal generates it and keeps its private key).");
  }
  return `${lines.join("\n")}\n`;
}
