import { describe, expect, it } from "vitest";
import { graphPowerShellRegistration, type RegistrationInput } from "@/lib/powershell/app-registration";
import { azureCliRegistration } from "@/lib/powershell/azure-cli";
import { certificateUploadScript } from "@/lib/powershell/certificate-upload";
import { accessPolicyScript, rbacScript, type RestrictionInput } from "@/lib/powershell/exchange-restriction";
import { PERMISSION_IDS, requiredPermissions } from "@/lib/powershell/permissions";
import { removeTenantGrantScript } from "@/lib/powershell/remove-tenant-grant";

// Snapshots pin the generated scripts (reviewed by eye once); the assertions say what must hold.
const base: RegistrationInput = {
  displayName: "Graph Mail Portal", directoryId: "contoso.onmicrosoft.com", useApplication: true, useDelegated: false, largeAttachments: false,
  signInRedirectUri: "https://mail.example.com/api/auth/callback/microsoft", consentRedirectUri: "https://mail.example.com/api/setup/consent",
  credential: "certificate", secretEndDateTime: "2027-05-28T00:00:00Z",
};
const restriction: RestrictionInput = {
  clientId: "11111111-2222-4333-8444-555555555555", servicePrincipalObjectId: "66666666-7777-4888-9999-000000000000", appDisplayName: "Graph Mail Portal",
  mailboxes: ["hr-welcome@contoso.com", "o'brien@contoso.com"], groupAddress: "graph-senders@contoso.com", createGroup: true,
  scopeName: "Graph Mail Portal senders", outsideMailbox: "alex@contoso.com",
};

describe("permissions", () => {
  it("asks for exactly what the usage needs", () => {
    expect(requiredPermissions({ useApplication: true, useDelegated: false, largeAttachments: false }).map((p) => `${p.name}:${p.type}`)).toEqual(["Mail.Send:Role"]);
    expect(requiredPermissions({ useApplication: true, useDelegated: false, largeAttachments: true }).map((p) => `${p.name}:${p.type}`)).toEqual(["Mail.Send:Role", "Mail.ReadWrite:Role"]);
    // Delegated sends with large attachments use a draft in the person's mailbox: delegated Mail.ReadWrite.
    expect(requiredPermissions({ useApplication: false, useDelegated: true, largeAttachments: true }).map((p) => `${p.name}:${p.type}`)).toEqual([
      "Mail.Send:Scope", "Mail.ReadWrite:Scope", "User.Read:Scope", "openid:Scope", "profile:Scope", "email:Scope", "offline_access:Scope",
    ]);
  });
});

describe("Graph PowerShell registration", () => {
  it("application only, certificate: Mail.Send Role only, consent redirect only", () => {
    const s = graphPowerShellRegistration(base);
    expect(s).toContain(`@{ Id = '${PERMISSION_IDS["Mail.Send:Role"]}'; Type = 'Role' } # Mail.Send (application)`);
    expect(s).not.toContain(PERMISSION_IDS["Mail.Send:Scope"]);
    expect(s).not.toContain(PERMISSION_IDS["Mail.ReadWrite:Role"]);
    expect(s).not.toContain("Add-MgApplicationPassword");
    expect(s).not.toContain("/api/auth/callback/microsoft");
    expect(s).toMatchSnapshot();
  });

  it("both usages, large attachments, secret: every permission with its reason, the sign-in redirect, the secret", () => {
    const s = graphPowerShellRegistration({ ...base, useDelegated: true, largeAttachments: true, credential: "secret" });
    expect(s).toContain("#   Mail.ReadWrite (application): attachments of 3 MB and more go through a draft and an upload session");
    expect(s).toContain("Web = @{ RedirectUris = @('https://mail.example.com/api/auth/callback/microsoft', 'https://mail.example.com/api/setup/consent') }");
    expect(s.match(/New-MgServicePrincipalAppRoleAssignedTo/g)).toHaveLength(2);
    expect(s).toContain("EndDateTime = '2027-05-28T00:00:00Z'");
    expect(s).toMatchSnapshot();
  });

  it("delegated only: no app role assignment (nothing application-level to consent by script)", () => {
    const s = graphPowerShellRegistration({ ...base, useApplication: false, useDelegated: true });
    expect(s).not.toContain("New-MgServicePrincipalAppRoleAssignedTo");
    expect(s).not.toContain("Type = 'Role'");
  });
});

describe("other generators", () => {
  it("Azure CLI", () => expect(azureCliRegistration({ ...base, useDelegated: true, credential: "secret" })).toMatchSnapshot());
  it("certificate upload", () => expect(certificateUploadScript({ directoryId: "contoso.onmicrosoft.com", clientId: restriction.clientId, certificateBase64: "MIIBszCCAV2g", displayName: "CN=Graph Mail Portal" })).toMatchSnapshot());
  it("RBAC for Applications quotes OPATH inside PowerShell and warns about the tenant-wide consent", () => {
    const s = rbacScript(restriction);
    // -App and -Identity take the service principal's object id (New-ManagementRoleAssignment reference).
    expect(s).toContain(`New-ManagementRoleAssignment -Name 'Graph Mail Portal senders - Application Mail.Send' -App '${restriction.servicePrincipalObjectId}' -Role 'Application Mail.Send'`);
    expect(s).not.toContain(`-App '${restriction.clientId}'`);
    expect(s).not.toContain("Application Mail.ReadWrite");
    expect(rbacScript({ ...restriction, largeAttachments: true })).toContain(`New-ManagementRoleAssignment -Name 'Graph Mail Portal senders - Application Mail.ReadWrite' -App '${restriction.servicePrincipalObjectId}' -Role 'Application Mail.ReadWrite' -CustomResourceScope 'Graph Mail Portal senders'`);
    const filter = `-RecipientRestrictionFilter 'PrimarySmtpAddress -eq ''hr-welcome@contoso.com'' -or PrimarySmtpAddress -eq ''o''''brien@contoso.com'''`;
    // Re-runnable: each object is looked up first; an existing scope gets the new filter (Set-ManagementScope).
    expect(s).toContain(`$exoSp = Get-ServicePrincipal -Identity '${restriction.servicePrincipalObjectId}' -ErrorAction SilentlyContinue`);
    expect(s).toContain(`Set-ManagementScope -Identity 'Graph Mail Portal senders' ${filter}`);
    expect(s).toContain(`New-ManagementScope -Name 'Graph Mail Portal senders' ${filter}`);
    expect(s).toContain("Get-ManagementRoleAssignment -Identity 'Graph Mail Portal senders - Application Mail.Send' -ErrorAction SilentlyContinue");
    expect(s).toContain("https://learn.microsoft.com/powershell/module/exchangepowershell/set-managementscope");
    expect(s).toContain("Write-Warning");
    expect(s).toMatchSnapshot();
  });
  it("removal of the tenant-wide grant: finds Mail.Send and Mail.ReadWrite app role assignments and removes them, citing Learn", () => {
    const s = removeTenantGrantScript({ directoryId: "contoso.onmicrosoft.com", clientId: restriction.clientId, appDisplayName: "Graph Mail Portal" });
    expect(s).toContain("https://learn.microsoft.com/exchange/permissions-exo/application-rbac");
    expect(s).toContain(`Where-Object AppRoleId -EQ '${PERMISSION_IDS["Mail.Send:Role"]}'`);
    expect(s).toContain(`Where-Object AppRoleId -EQ '${PERMISSION_IDS["Mail.ReadWrite:Role"]}'`);
    expect(s.match(/Remove-MgServicePrincipalAppRoleAssignment -ServicePrincipalId \$sp\.Id/g)).toHaveLength(2);
    expect(s).toMatchSnapshot();
  });
  it("application access policy", () => {
    const s = accessPolicyScript(restriction);
    expect(s).toContain("-AccessRight RestrictAccess");
    expect(s).toContain("Add-DistributionGroupMember -Identity 'graph-senders@contoso.com' -Member 'o''brien@contoso.com'");
    // Re-runnable: the group, each member and the policy are looked up before anything is made.
    expect(s).toContain("$group = Get-DistributionGroup -Identity 'graph-senders@contoso.com' -ErrorAction SilentlyContinue");
    expect(s).toContain("$member = $members | Where-Object PrimarySmtpAddress -EQ 'o''brien@contoso.com'");
    expect(s).toContain(`$policy = Get-ApplicationAccessPolicy | Where-Object AppId -EQ '${restriction.clientId}'`);
    expect(s).toMatchSnapshot();
  });
});
