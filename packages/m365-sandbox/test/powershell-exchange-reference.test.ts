/**
 * The Exchange cmdlets accept what their references document and refuse what they do not
 * (MicrosoftDocs office-docs-powershell, exchange-ps): -WhatIf/-Confirm where the syntax lists them
 * (-WhatIf changes nothing), positional -Name, -AppId '*', the optional -Member, and -Role checked against
 * the documented application roles (learn "Role Based Access Control for Applications in Exchange Online").
 * Scripts run through the control API's runner; the effect is checked in the sandbox's store and through
 * the Graph SDK with a real MSAL token.
 */
import { Client, RetryHandlerOptions } from "@microsoft/microsoft-graph-client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestSandbox, type TestSandbox } from "./support";

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => sb?.close());
beforeEach(async () => {
  await sb.control("/reset");
});

async function run(...lines: string[]) {
  const r = await sb.control<{ transcript: string; ok: boolean; errors: number }>("/powershell/run", { script: ["Connect-ExchangeOnline -ShowBanner:$false", ...lines].join("\n"), tenant: sb.endpoints.tenant.domain });
  expect(r.status).toBe(200);
  return r.json;
}

interface SeededApp { appId: string; servicePrincipalId: string; secrets: { secretText: string }[] }
async function seedApp(): Promise<SeededApp> {
  const r = await sb.control<{ apps: SeededApp[] }>("/seed", { apps: [{ displayName: "RBAC only app", applicationPermissions: [] }] });
  expect(r.status).toBe(201);
  return r.json.apps[0]!;
}

const store = () => sb.ctx.store;

describe("Exchange cmdlets, as their references document them", () => {
  it("-WhatIf describes and changes nothing; -Confirm:$false runs; a bare -Confirm cannot prompt in a script", async () => {
    const app = await seedApp();
    const r = await run(
      "New-ManagementScope 'Strict scope' -RecipientRestrictionFilter \"Department -eq 'HR'\" -WhatIf",
      `New-ServicePrincipal -AppId ${app.appId} -ObjectId ${app.servicePrincipalId} -DisplayName 'RBAC only' -WhatIf`,
      `New-ApplicationAccessPolicy -AppId ${app.appId} -PolicyScopeGroupId '${sb.endpoints.group}' -AccessRight RestrictAccess -WhatIf`,
    );
    expect(r).toMatchObject({ ok: true, errors: 0 });
    expect(r.transcript).toContain('What if: Performing the operation "New-ManagementScope" on target "Strict scope".');
    expect(store().managementScopes.filter((m) => m.name === "Strict scope")).toHaveLength(0);
    expect(store().exoServicePrincipals.filter((x) => x.appId === app.appId)).toHaveLength(0);
    expect(store().accessPolicies.filter((p) => p.appId === app.appId)).toHaveLength(0);

    const c = await run(
      "New-ManagementScope 'Strict scope' -RecipientRestrictionFilter \"Department -eq 'HR'\" -Confirm:$false",
      `New-ServicePrincipal -AppId ${app.appId} -ObjectId ${app.servicePrincipalId} -DisplayName 'RBAC only' -Confirm`,
      // Test-ApplicationAccessPolicy's syntax has no -WhatIf: an unknown parameter.
      `Test-ApplicationAccessPolicy -Identity ${sb.endpoints.mailboxes.shared} -AppId ${app.appId} -WhatIf`,
    );
    expect(c.errors).toBe(2);
    expect(c.transcript).toContain("PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.");
    expect(c.transcript).toContain("A parameter cannot be found that matches parameter name 'WhatIf'.");
    expect(store().managementScopes.filter((m) => m.name === "Strict scope")).toHaveLength(1);
    expect(store().exoServicePrincipals.filter((x) => x.appId === app.appId)).toHaveLength(0);
  });

  it("New-ManagementRoleAssignment: positional -Name, every documented application role, a made-up role is not found", async () => {
    const app = await seedApp();
    const r = await run(
      `New-ServicePrincipal -AppId ${app.appId} -ObjectId ${app.servicePrincipalId} -DisplayName 'RBAC only'`,
      `New-ManagementRoleAssignment 'Full access for RBAC only' -App ${app.servicePrincipalId} -Role 'application mail full access'`,
      `New-ManagementRoleAssignment -App ${app.servicePrincipalId} -Role 'Application Mail.Sned'`,
      `New-ManagementRoleAssignment -App ${app.servicePrincipalId} -Role 'Mail Recipients'`,
      `Test-ServicePrincipalAuthorization ${app.servicePrincipalId} -Resource ${sb.endpoints.mailboxes.outsidePolicy}`,
    );
    expect(r.errors).toBe(2);
    expect(r.transcript).toContain("The operation couldn't be performed because object 'Application Mail.Sned' couldn't be found");
    expect(r.transcript).toContain("The operation couldn't be performed because object 'Mail Recipients' couldn't be found");
    expect(r.transcript).toMatch(/RoleName\s+: Application Mail Full Access\nGrantedPermissions\s+: Mail\.ReadWrite, Mail\.Send\n/);
    const mine = store().roleAssignments.filter((a) => a.appId === app.appId);
    expect(mine.map((a) => [a.name, a.role])).toEqual([["Full access for RBAC only", "Application Mail Full Access"]]);

    // The role grants Mail.Send through RBAC alone (the app has no Entra grant: its token has no roles claim).
    const token = await sb.appTokenFor({ clientId: app.appId, secret: app.secrets[0]!.secretText });
    const graph = Client.initWithMiddleware({ baseUrl: sb.endpoints.graphUrl, defaultVersion: "v1.0", customHosts: new Set(["localhost"]), authProvider: { getAccessToken: async () => token } });
    const d = sb.endpoints.tenant.domain;
    await graph.api(`/users/${sb.endpoints.mailboxes.outsidePolicy}/sendMail`).middlewareOptions([new RetryHandlerOptions(0, 0)])
      .post({ message: { subject: "via RBAC", toRecipients: [{ emailAddress: { address: `lee.gu@${d}` } }] }, saveToSentItems: false });
    expect((await sb.control<unknown[]>(`/messages?to=lee.gu@${d}&subject=via%20RBAC`)).json).toHaveLength(1);

    const all = ["Application Mail.Read", "Application Mail.ReadBasic", "Application Mail.ReadWrite", "Application Mail.Send", "Application MailboxSettings.Read", "Application MailboxSettings.ReadWrite", "Application Calendars.Read", "Application Calendars.ReadWrite", "Application Contacts.Read", "Application Contacts.ReadWrite", "Application Exchange Full Access", "Application EWS.AccessAsApp"];
    const each = await run(...all.map((role) => `New-ManagementRoleAssignment -App ${app.servicePrincipalId} -Role '${role}'`));
    expect(each).toMatchObject({ ok: true, errors: 0 });
    expect(store().roleAssignments.filter((a) => a.appId === app.appId)).toHaveLength(all.length + 1);
  });

  it("New-ApplicationAccessPolicy -AppId '*' restricts every application; Add-DistributionGroupMember without -Member adds nobody", async () => {
    const app = await seedApp();
    const members = () => [...store().groups.values()].find((g) => g.mail === sb.endpoints.group)!.members.length;
    const before = members();
    const r = await run(
      `New-ApplicationAccessPolicy -AppId '*' -PolicyScopeGroupId '${sb.endpoints.group}' -AccessRight RestrictAccess -Description 'all apps'`,
      `Add-DistributionGroupMember -Identity '${sb.endpoints.group}'`,
      `Test-ApplicationAccessPolicy -Identity ${sb.endpoints.mailboxes.outsidePolicy} -AppId ${app.appId}`,
      `Test-ApplicationAccessPolicy ${sb.endpoints.mailboxes.shared} -AppId ${app.appId}`,
    );
    expect(r).toMatchObject({ ok: true, errors: 0 });
    expect(r.transcript.match(/AccessCheckResult\s*:\s*(\w+)/g)).toEqual(["AccessCheckResult : Denied", "AccessCheckResult : Granted"]);
    expect(members()).toBe(before);
    const bad = await run(`New-ApplicationAccessPolicy -AppId 'not-a-guid' -PolicyScopeGroupId '${sb.endpoints.group}' -AccessRight DenyAccess`);
    expect(bad.errors).toBe(1);
    expect(store().accessPolicies.some((p) => p.appId === "not-a-guid")).toBe(false);
  });

  it("seed input names only documented application roles", async () => {
    const app = await seedApp();
    const r = await sb.control<{ error: { fields: string[] } }>("/seed", { roleAssignments: [{ appId: app.appId, role: "Application Mail.Everything" }] });
    expect(r.status).toBe(400);
    expect(r.json.error.fields).toEqual(["roleAssignments[0].role"]);
  });
});
