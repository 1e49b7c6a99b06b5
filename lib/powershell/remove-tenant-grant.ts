/**
 * The RBAC path's last step: take the app's tenant-wide Entra ID application permissions away, so that
 * only the Exchange RBAC scope decides which mailboxes it may use. Grants from Entra ID and from Exchange
 * RBAC add up; Microsoft's answer to "why does my application still have access to mailboxes that aren't
 * granted by the scope" is to remove the organization-wide unscoped permissions in Entra ID
 * (https://learn.microsoft.com/exchange/permissions-exo/application-rbac, FAQ).
 *
 * Microsoft Graph PowerShell: find the app role assignment of Graph's Mail.Send (and Mail.ReadWrite) on
 * the app's service principal (Get-MgServicePrincipalAppRoleAssignment) and delete it
 * (Remove-MgServicePrincipalAppRoleAssignment, graph/api/serviceprincipal-delete-approleassignments).
 * Afterwards the app's token carries no `roles` claim at all. Safe to run twice: a permission that is
 * not granted is reported, not an error. Pure; every value through psQuote.
 */
import { GRAPH_APP_ID, PERMISSION_IDS } from "./permissions";
import { psArray, psQuote } from "./quote";

export interface RemoveGrantInput {
  /** Directory (tenant) id or verified domain. */
  directoryId: string;
  clientId: string;
  appDisplayName: string;
}

export const RBAC_LEARN_URL = "https://learn.microsoft.com/exchange/permissions-exo/application-rbac";

/** The application permissions the registration granted tenant-wide, by name and Graph app role id. */
const TENANT_WIDE = [
  { variable: "$mailSend", name: "Mail.Send", id: PERMISSION_IDS["Mail.Send:Role"] },
  { variable: "$mailReadWrite", name: "Mail.ReadWrite", id: PERMISSION_IDS["Mail.ReadWrite:Role"] },
] as const;

export function removeTenantGrantScript(i: RemoveGrantInput): string {
  const lines = [
    "# Graph Mail Portal: remove the app's tenant-wide application permissions in Entra ID, so that only the",
    "# Exchange RBAC for Applications scope decides which mailboxes it may use.",
    "# Why: grants from Entra ID and Exchange RBAC add up; while the tenant-wide grant exists the scope changes",
    `# nothing. Microsoft: remove the organization-wide unscoped permissions in Entra ID (${RBAC_LEARN_URL}, FAQ).`,
    "# Run the RBAC for Applications script first: after this one, Exchange RBAC is the app's only grant.",
    "# Needs the Microsoft Graph PowerShell SDK: Install-Module Microsoft.Graph -Scope CurrentUser",
    "# Sign in as a Global Administrator or Privileged Role Administrator.",
    `Connect-MgGraph -TenantId ${psQuote(i.directoryId)} -Scopes ${psArray(["Application.Read.All", "AppRoleAssignment.ReadWrite.All"])} -NoWelcome`,
    "",
    "# Microsoft Graph's service principal (the permissions are its app roles) and the app's own.",
    `$graphSp = Get-MgServicePrincipal -Filter ${psQuote(`appId eq '${GRAPH_APP_ID}'`)}`,
    `$sp = Get-MgServicePrincipal -Filter ${psQuote(`appId eq '${i.clientId}'`)}`,
  ];
  for (const p of TENANT_WIDE) {
    lines.push(
      "",
      `# ${p.name} (application), granted to the app tenant-wide by admin consent: its app role assignment.`,
      `${p.variable} = Get-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $sp.Id -All | Where-Object AppRoleId -EQ ${psQuote(p.id)} | Where-Object ResourceId -EQ $graphSp.Id`,
      `if (${p.variable}) {`,
      `    Remove-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $sp.Id -AppRoleAssignmentId ${p.variable}.Id`,
      `    Write-Host ${psQuote(`Removed: ${p.name} (application), tenant-wide.`)}`,
      "} else {",
      `    Write-Host ${psQuote(`${p.name} (application) is not granted tenant-wide: nothing to remove.`)}`,
      "}",
    );
  }
  lines.push(
    "",
    "# Do not grant admin consent for these application permissions again (Entra ID → App registrations →",
    "# API permissions): that would bring the tenant-wide grant back. Tokens issued before now stay valid up",
    "# to an hour, and Exchange caches app permissions for 30 minutes to 2 hours.",
    `Write-Host ${psQuote(`Done: ${i.appDisplayName} now holds no tenant-wide mail permission; Exchange RBAC decides. Verify again in the portal, then prove it.`)}`,
  );
  return `${lines.join("\n")}\n`;
}
