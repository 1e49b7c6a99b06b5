/**
 * Exchange Online scripts that limit which mailboxes the app may send as (GRAPH-FACTS §7):
 *  - RBAC for Applications (Microsoft's recommended path): New-ServicePrincipal, New-ManagementScope,
 *    New-ManagementRoleAssignment -Role "Application Mail.Send" (and "Application Mail.ReadWrite" for large
 *    attachments), Test-ServicePrincipalAuthorization; then remove-tenant-grant.ts takes the tenant-wide
 *    Entra grant away, without which the scope changes nothing;
 *  - the application access policy the article uses: a mail-enabled security group holding the
 *    mailboxes, New-ApplicationAccessPolicy -AccessRight RestrictAccess, Test-ApplicationAccessPolicy.
 * Pure; every value through psQuote (the OPATH filter's own literals through opathQuote first).
 */
import { opathQuote, psQuote } from "./quote";

export interface RestrictionInput {
  clientId: string;
  /** The enterprise application's object id (the app-only token's oid), for New-ServicePrincipal. */
  servicePrincipalObjectId: string;
  appDisplayName: string;
  /** Mailboxes the app may send as. */
  mailboxes: string[];
  /** The mail-enabled security group that scopes the app (application access policy). */
  groupAddress: string;
  /** Create the group first (New-DistributionGroup -Type Security), or use an existing one. */
  createGroup: boolean;
  /** The RBAC management scope's name. */
  scopeName: string;
  /** A mailbox that must be refused, to show the restriction works. */
  outsideMailbox?: string;
  /** Attachments of 3 MB and more: the draft + upload session path needs Mail.ReadWrite too. */
  largeAttachments?: boolean;
}

const HEADER = [
  "# Needs the Exchange Online PowerShell module: Install-Module ExchangeOnlineManagement -Scope CurrentUser",
  "# Sign in as an Exchange Administrator.",
  "Connect-ExchangeOnline -ShowBanner:$false",
];

/** OPATH filter matching exactly the listed mailboxes. */
export function recipientFilter(mailboxes: string[]): string {
  return mailboxes.map((m) => `PrimarySmtpAddress -eq ${opathQuote(m)}`).join(" -or ");
}

export function rbacScript(i: RestrictionInput): string {
  const sp = psQuote(i.servicePrincipalObjectId);
  const lines = [
    "# Graph Mail Portal: RBAC for Applications — let the app send only as the listed mailboxes.",
    ...HEADER,
    "",
    "# 1. Tell Exchange about the app's enterprise application (service principal).",
    `New-ServicePrincipal -AppId ${psQuote(i.clientId)} -ObjectId ${psQuote(i.servicePrincipalObjectId)} -DisplayName ${psQuote(i.appDisplayName)}`,
    "",
    "# 2. A management scope that matches exactly these mailboxes.",
    `New-ManagementScope -Name ${psQuote(i.scopeName)} -RecipientRestrictionFilter ${psQuote(recipientFilter(i.mailboxes))}`,
    "",
    "# 3. Grant Mail.Send through Exchange, limited to that scope. -App takes the service principal's OBJECT id",
    "#    (New-ManagementRoleAssignment reference: the ObjectId from Get-ServicePrincipal).",
    `New-ManagementRoleAssignment -App ${sp} -Role ${psQuote("Application Mail.Send")} -CustomResourceScope ${psQuote(i.scopeName)}`,
    ...(i.largeAttachments
      ? [
          "#    Attachments of 3 MB and more go through a draft and an upload session, which need Mail.ReadWrite",
          "#    (graph/api/attachment-createuploadsession), in the same scope.",
          `New-ManagementRoleAssignment -App ${sp} -Role ${psQuote("Application Mail.ReadWrite")} -CustomResourceScope ${psQuote(i.scopeName)}`,
        ]
      : []),
    "",
    "# 4. Check: InScope should be True for each listed mailbox" + (i.outsideMailbox ? " and False for the one outside." : "."),
    ...i.mailboxes.map((m) => `Test-ServicePrincipalAuthorization -Identity ${sp} -Resource ${psQuote(m)}`),
    ...(i.outsideMailbox ? [`Test-ServicePrincipalAuthorization -Identity ${sp} -Resource ${psQuote(i.outsideMailbox)}`] : []),
    "",
    "# NEXT: grants from Entra ID and from Exchange RBAC add up. While the app still holds the tenant-wide",
    "# Mail.Send application permission (admin consent in Entra ID), it can send as EVERY mailbox and this",
    "# scope changes nothing (learn exchange/permissions-exo/application-rbac, FAQ). Run the next script,",
    "# \"Remove the tenant-wide grant\", to take it away. Changes are cached for 30 minutes to 2 hours.",
    `Write-Warning ${psQuote("Next: remove the tenant-wide Mail.Send (application) grant in Entra ID, or this scope has no effect.")}`,
  ];
  return `${lines.join("\n")}\n`;
}

export function accessPolicyScript(i: RestrictionInput): string {
  const lines = [
    "# Graph Mail Portal: application access policy — let the app send only as members of one group.",
    "# Microsoft now recommends RBAC for Applications instead; existing policies keep working.",
    ...HEADER,
    "",
  ];
  if (i.createGroup) {
    lines.push(
      "# The policy's scope must be a mail-enabled SECURITY group (not a shared mailbox, distribution group",
      "# or Microsoft 365 group), so the mailboxes go into one.",
      `New-DistributionGroup -Name ${psQuote(i.groupAddress.split("@")[0] ?? i.groupAddress)} -Type ${psQuote("Security")} -PrimarySmtpAddress ${psQuote(i.groupAddress)}`,
    );
  } else {
    lines.push("# The mail-enabled security group that scopes the app (shared mailboxes cannot be the scope themselves).");
  }
  lines.push(
    ...i.mailboxes.map((m) => `Add-DistributionGroupMember -Identity ${psQuote(i.groupAddress)} -Member ${psQuote(m)} -BypassSecurityGroupManagerCheck`),
    "",
    `New-ApplicationAccessPolicy -AppId ${psQuote(i.clientId)} -PolicyScopeGroupId ${psQuote(i.groupAddress)} -AccessRight RestrictAccess -Description ${psQuote("Graph Mail Portal: send only as members of this group")}`,
    "",
    "# Check: AccessCheckResult should be Granted for each listed mailbox" + (i.outsideMailbox ? " and Denied for the one outside." : "."),
    "# Policy changes can take an hour or more to reach Microsoft Graph.",
    ...i.mailboxes.map((m) => `Test-ApplicationAccessPolicy -Identity ${psQuote(m)} -AppId ${psQuote(i.clientId)}`),
    ...(i.outsideMailbox ? [`Test-ApplicationAccessPolicy -Identity ${psQuote(i.outsideMailbox)} -AppId ${psQuote(i.clientId)}`] : []),
  );
  return `${lines.join("\n")}\n`;
}
