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

/** Learn reference pages of the Exchange Online cmdlets the scripts use (cited in the generated comments). */
const LEARN = (cmdlet: string) => `https://learn.microsoft.com/powershell/module/exchangepowershell/${cmdlet.toLowerCase()}`;

/** The name of one role assignment the RBAC script makes: fixed, so a re-run finds it (at most 64 characters). */
export function assignmentName(scopeName: string, role: string): string {
  // New-ManagementRoleAssignment -Name: "The maximum length of the name is 64 characters."
  const name = `${scopeName} - ${role}`.slice(0, 64);
  // Never end on half of a surrogate pair (an emoji cut in two is not text).
  return /[\uD800-\uDBFF]$/.test(name) ? name.slice(0, -1) : name;
}

/**
 * Re-runnable, the way Exchange admins write it: each object is looked up first (Get-… -ErrorAction
 * SilentlyContinue leaves the variable $null when it does not exist) and changed or created. So after the
 * mailboxes change (the tenant drops to "needs proof"), the same script is run again and the scope's filter
 * is replaced (Set-ManagementScope), instead of New-ManagementScope failing because the scope exists.
 */
export function rbacScript(i: RestrictionInput): string {
  const sp = psQuote(i.servicePrincipalObjectId);
  const scope = psQuote(i.scopeName);
  const filter = psQuote(recipientFilter(i.mailboxes));
  const roles = ["Application Mail.Send", ...(i.largeAttachments ? ["Application Mail.ReadWrite"] : [])];
  const assign = (role: string, variable: string) => {
    const name = psQuote(assignmentName(i.scopeName, role));
    return [
      `${variable} = Get-ManagementRoleAssignment -Identity ${name} -ErrorAction SilentlyContinue`,
      `if (${variable}) {`,
      `    Write-Host ${psQuote(`Role assignment: ${role} in the scope already assigned to the app.`)}`,
      "} else {",
      `    New-ManagementRoleAssignment -Name ${name} -App ${sp} -Role ${psQuote(role)} -CustomResourceScope ${scope}`,
      "}",
    ];
  };
  const lines = [
    "# Graph Mail Portal: RBAC for Applications — let the app send only as the listed mailboxes.",
    "# Safe to run again after the mailboxes change: each object is looked up, then updated or created.",
    ...HEADER,
    "",
    "# 1. Tell Exchange about the app's enterprise application (service principal), once.",
    `#    ${LEARN("Get-ServicePrincipal")} (-Identity takes the ObjectId), ${LEARN("New-ServicePrincipal")}`,
    `$exoSp = Get-ServicePrincipal -Identity ${sp} -ErrorAction SilentlyContinue`,
    "if ($exoSp) {",
    `    Write-Host ${psQuote("Service principal: already registered with Exchange.")}`,
    "} else {",
    `    New-ServicePrincipal -AppId ${psQuote(i.clientId)} -ObjectId ${sp} -DisplayName ${psQuote(i.appDisplayName)}`,
    "}",
    "",
    "# 2. A management scope that matches exactly these mailboxes. If it exists (an earlier run), its filter is",
    "#    replaced; \"the updated scope applies to all the associated role assignments\".",
    `#    ${LEARN("Get-ManagementScope")}, ${LEARN("Set-ManagementScope")}, ${LEARN("New-ManagementScope")}`,
    `$scope = Get-ManagementScope -Identity ${scope} -ErrorAction SilentlyContinue`,
    "if ($scope) {",
    `    Set-ManagementScope -Identity ${scope} -RecipientRestrictionFilter ${filter}`,
    `    Write-Host ${psQuote("Management scope: updated for the listed mailboxes.")}`,
    "} else {",
    `    New-ManagementScope -Name ${scope} -RecipientRestrictionFilter ${filter}`,
    `    Write-Host ${psQuote("Management scope: created for the listed mailboxes.")}`,
    "}",
    "",
    "# 3. Grant Mail.Send through Exchange, limited to that scope, under a fixed name so a re-run finds it.",
    "#    -App takes the service principal's OBJECT id (the ObjectId from Get-ServicePrincipal).",
    `#    ${LEARN("Get-ManagementRoleAssignment")} (-Identity is the assignment's name), ${LEARN("New-ManagementRoleAssignment")}`,
    ...assign(roles[0]!, "$mailSend"),
    ...(i.largeAttachments
      ? [
          "#    Attachments of 3 MB and more go through a draft and an upload session, which need Mail.ReadWrite",
          "#    (graph/api/attachment-createuploadsession), in the same scope.",
          ...assign(roles[1]!, "$mailReadWrite"),
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
    "# \"Remove the tenant-wide grant\", to take it away (it is safe to run again). Changes are cached for 30",
    "# minutes to 2 hours.",
    `Write-Warning ${psQuote("Next: remove the tenant-wide Mail.Send (application) grant in Entra ID, or this scope has no effect.")}`,
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * Re-runnable like the RBAC script: the group is created only when it does not exist yet (Get-DistributionGroup),
 * only missing members are added (Get-DistributionGroupMember; Add-DistributionGroupMember refuses a member that
 * is already in the group), and the policy is created only when the app has none (Get-ApplicationAccessPolicy).
 */
export function accessPolicyScript(i: RestrictionInput): string {
  const group = psQuote(i.groupAddress);
  const appId = psQuote(i.clientId);
  const lines = [
    "# Graph Mail Portal: application access policy — let the app send only as members of one group.",
    "# Microsoft now recommends RBAC for Applications instead; existing policies keep working.",
    "# Safe to run again after the mailboxes change: the group and the policy are looked up first, and only",
    "# missing members are added.",
    ...HEADER,
    "",
  ];
  if (i.createGroup) {
    lines.push(
      "# The policy's scope must be a mail-enabled SECURITY group (not a shared mailbox, distribution group",
      "# or Microsoft 365 group), so the mailboxes go into one.",
      `#    ${LEARN("Get-DistributionGroup")}, ${LEARN("New-DistributionGroup")}`,
      `$group = Get-DistributionGroup -Identity ${group} -ErrorAction SilentlyContinue`,
      "if ($group) {",
      `    Write-Host ${psQuote(`Group: ${i.groupAddress} already exists.`)}`,
      "} else {",
      `    New-DistributionGroup -Name ${psQuote(i.groupAddress.split("@")[0] ?? i.groupAddress)} -Type ${psQuote("Security")} -PrimarySmtpAddress ${group}`,
      "}",
    );
  } else {
    lines.push("# The mail-enabled security group that scopes the app (shared mailboxes cannot be the scope themselves).");
  }
  lines.push(
    "",
    // Compared by primary SMTP address (what Get-DistributionGroupMember lists): a mailbox listed by another of
    // its addresses is tried again, and Add-DistributionGroupMember answers that it is already a member.
    "# Its members: each listed mailbox that is not in the group yet is added.",
    `#    ${LEARN("Get-DistributionGroupMember")}, ${LEARN("Add-DistributionGroupMember")}`,
    `$members = Get-DistributionGroupMember -Identity ${group} -ResultSize Unlimited`,
  );
  for (const m of i.mailboxes) {
    lines.push(
      `$member = $members | Where-Object PrimarySmtpAddress -EQ ${psQuote(m)}`,
      "if ($member) {",
      `    Write-Host ${psQuote(`Member: ${m} is already in the group.`)}`,
      "} else {",
      `    Add-DistributionGroupMember -Identity ${group} -Member ${psQuote(m)} -BypassSecurityGroupManagerCheck`,
      "}",
    );
  }
  lines.push(
    "",
    "# The policy, once per app. If one exists, the group's members (above) decide; to scope the app to another",
    "# group, remove the old policy first (Remove-ApplicationAccessPolicy).",
    `#    ${LEARN("Get-ApplicationAccessPolicy")}, ${LEARN("New-ApplicationAccessPolicy")}`,
    `$policy = Get-ApplicationAccessPolicy | Where-Object AppId -EQ ${appId}`,
    "if ($policy) {",
    `    Write-Host ${psQuote("Application access policy: the app already has one.")}`,
    "} else {",
    `    New-ApplicationAccessPolicy -AppId ${appId} -PolicyScopeGroupId ${group} -AccessRight RestrictAccess -Description ${psQuote("Graph Mail Portal: send only as members of this group")}`,
    "}",
    "",
    "# Check: AccessCheckResult should be Granted for each listed mailbox" + (i.outsideMailbox ? " and Denied for the one outside." : "."),
    "# Policy changes can take an hour or more to reach Microsoft Graph.",
    ...i.mailboxes.map((m) => `Test-ApplicationAccessPolicy -Identity ${psQuote(m)} -AppId ${appId}`),
    ...(i.outsideMailbox ? [`Test-ApplicationAccessPolicy -Identity ${psQuote(i.outsideMailbox)} -AppId ${appId}`] : []),
  );
  return `${lines.join("\n")}\n`;
}
