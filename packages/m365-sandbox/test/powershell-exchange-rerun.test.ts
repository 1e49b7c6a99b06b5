/**
 * A restriction script run twice: the Get-* / Set-* cmdlets an Exchange admin uses to make a script safe to
 * re-run (look the object up with -ErrorAction SilentlyContinue, then change it or create it), as their
 * references document them (learn.microsoft.com/powershell/module/exchangepowershell/: get-serviceprincipal,
 * get-managementscope, set-managementscope, get-managementroleassignment, get-distributiongroup,
 * get-distributiongroupmember). The effect is checked through Graph with a real MSAL token: after
 * Set-ManagementScope the new mailbox is accepted (202) and the one outside still refused (403).
 */
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

interface Run { transcript: string; ok: boolean; errors: number; trace: { command?: string; assign?: string; error?: string; silenced?: string }[] }
async function run(...lines: string[]): Promise<Run> {
  const r = await sb.control<Run>("/powershell/run", { script: ["Connect-ExchangeOnline -ShowBanner:$false", ...lines].join("\n"), tenant: sb.endpoints.tenant.domain, trace: true });
  expect(r.status).toBe(200);
  return r.json;
}

interface SeededApp { appId: string; servicePrincipalId: string; secrets: { secretText: string }[] }
async function seedApp(): Promise<SeededApp> {
  // No Entra grant: Exchange RBAC is the app's only way to send.
  const r = await sb.control<{ apps: SeededApp[] }>("/seed", { apps: [{ displayName: "Re-run app", applicationPermissions: [] }] });
  expect(r.status).toBe(201);
  return r.json.apps[0]!;
}

const quote = (v: string) => `'${v.replace(/'/g, "''")}'`;
const filterOf = (mailboxes: string[]) => mailboxes.map((m) => `PrimarySmtpAddress -eq ${quote(m)}`).join(" -or ");

/** The shape of a re-runnable RBAC for Applications script (written here, not imported: the sandbox shares no code with the portal). */
function rbacScript(app: SeededApp, mailboxes: string[]): string[] {
  const sp = quote(app.servicePrincipalId);
  const f = quote(filterOf(mailboxes));
  return [
    `$exoSp = Get-ServicePrincipal -Identity ${sp} -ErrorAction SilentlyContinue`,
    "if ($exoSp) {", "    Write-Host 'service principal: exists'", "} else {", `    New-ServicePrincipal -AppId '${app.appId}' -ObjectId ${sp} -DisplayName 'Re-run app'`, "}",
    "$scope = Get-ManagementScope -Identity 'Senders' -ErrorAction SilentlyContinue",
    "if ($scope) {", `    Set-ManagementScope -Identity 'Senders' -RecipientRestrictionFilter ${f}`, "    Write-Host 'scope: updated'", "} else {", `    New-ManagementScope -Name 'Senders' -RecipientRestrictionFilter ${f}`, "}",
    "$a = Get-ManagementRoleAssignment -Identity 'Senders - Application Mail.Send' -ErrorAction SilentlyContinue",
    "if ($a) {", "    Write-Host 'assignment: exists'", "} else {", `    New-ManagementRoleAssignment -Name 'Senders - Application Mail.Send' -App ${sp} -Role 'Application Mail.Send' -CustomResourceScope 'Senders'`, "}",
  ];
}

async function sendAs(app: SeededApp, from: string): Promise<number> {
  const token = await sb.appTokenFor({ clientId: app.appId, secret: app.secrets[0]!.secretText });
  const r = await fetch(`${sb.endpoints.graphUrl}/v1.0/users/${encodeURIComponent(from)}/sendMail`, {
    method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ message: { subject: "re-run", toRecipients: [{ emailAddress: { address: from } }] }, saveToSentItems: false }),
  });
  return r.status;
}

const store = () => sb.ctx.store;

describe("a restriction script run again after the mailboxes change", () => {
  it("first run creates, second run finds the service principal and the assignment and replaces the scope's filter; Graph follows at once", async () => {
    const app = await seedApp();
    const { shared, allowed, outsidePolicy } = sb.endpoints.mailboxes;
    const first = await run(...rbacScript(app, [shared]));
    expect(first).toMatchObject({ ok: true, errors: 0 });
    // The lookups found nothing: hidden by -ErrorAction SilentlyContinue, not counted, recorded in the trace.
    expect(first.trace.filter((e) => e.silenced).map((e) => e.command)).toEqual(["Get-ServicePrincipal", "Get-ManagementScope", "Get-ManagementRoleAssignment"]);
    expect(first.transcript).not.toContain("couldn't be found");
    expect(await sendAs(app, shared)).toBe(202);
    expect(await sendAs(app, allowed)).toBe(403);

    const second = await run(...rbacScript(app, [shared, allowed]));
    expect(second).toMatchObject({ ok: true, errors: 0 });
    expect(second.transcript).toContain("service principal: exists");
    expect(second.transcript).toContain("scope: updated");
    expect(second.transcript).toContain("assignment: exists");
    expect(second.trace.filter((e) => e.silenced)).toEqual([]);
    expect(second.trace.map((e) => e.command).filter((c) => c?.startsWith("New-"))).toEqual([]);
    expect(store().exoServicePrincipals.filter((x) => x.appId === app.appId)).toHaveLength(1);
    expect(store().managementScopes.filter((m) => m.name === "Senders")).toEqual([expect.objectContaining({ recipientRestrictionFilter: filterOf([shared, allowed]) })]);
    expect(store().roleAssignments.filter((a) => a.appId === app.appId)).toHaveLength(1);
    expect(await sendAs(app, allowed)).toBe(202);
    expect(await sendAs(app, shared)).toBe(202);
    expect(await sendAs(app, outsidePolicy)).toBe(403);

    // The same script written with New-* only fails the second time, as in Exchange: the objects exist.
    const naive = await run(`New-ManagementScope -Name 'Senders' -RecipientRestrictionFilter ${quote(filterOf([shared]))}`, `New-ServicePrincipal -AppId '${app.appId}' -ObjectId '${app.servicePrincipalId}'`,
      `New-ManagementRoleAssignment -Name 'Senders - Application Mail.Send' -App '${app.servicePrincipalId}' -Role 'Application Mail.Send' -CustomResourceScope 'Senders'`);
    expect(naive.errors).toBe(3);
    expect(naive.transcript).toContain('The management scope "Senders" already exists.');
    expect(naive.transcript).toContain(`A service principal with AppId '${app.appId}' already exists.`);
    expect(naive.transcript).toContain('The role assignment "Senders - Application Mail.Send" already exists.');
  });

  it("Get-* of a missing object is an error unless -ErrorAction SilentlyContinue or Ignore; binding errors are never hidden", async () => {
    const r = await run(
      "Get-ManagementScope -Identity 'No such scope'",
      "$x = Get-ManagementScope 'No such scope' -ErrorAction SilentlyContinue",
      "$y = Get-ServicePrincipal -Identity 'no-such-app' -ErrorAction Ignore",
      "if ($x) { Write-Host 'x is set' } else { Write-Host 'x is null' }",
      "Get-ManagementRoleAssignment -Identity 'No such assignment' -ErrorAction SilentlyContinue -Bogus 1",
      "Get-DistributionGroup -Identity 'nobody@nowhere.sandbox'",
      "Get-DistributionGroup -Identity 'nobody@nowhere.sandbox' -ErrorAction SilentlyContinue",
    );
    expect(r.errors).toBe(3);
    expect(r.transcript).toContain("The operation couldn't be performed because object 'No such scope' couldn't be found");
    expect(r.transcript).toContain("x is null");
    expect(r.transcript).toContain("A parameter cannot be found that matches parameter name 'Bogus'.");
    expect(r.transcript).toContain("object 'nobody@nowhere.sandbox' couldn't be found");
    expect(r.trace.filter((e) => e.silenced).map((e) => e.command)).toEqual(["Get-ManagementScope", "Get-ServicePrincipal", "Get-DistributionGroup"]);
  });

  it("Get-ServicePrincipal by app id, object id or name, and all without -Identity; Get-ManagementRoleAssignment by name or -Role", async () => {
    const app = await seedApp();
    await run(...rbacScript(app, [sb.endpoints.mailboxes.shared]));
    const r = await run(
      `Get-ServicePrincipal -Identity '${app.appId}'`,
      `Get-ServicePrincipal '${app.servicePrincipalId}'`,
      "Get-ServicePrincipal 'Re-run app'",
      "$all = Get-ServicePrincipal",
      "Get-ManagementRoleAssignment -Role 'application mail.send'",
      "Get-ManagementRoleAssignment 'Senders - Application Mail.Send'",
      "Get-ManagementRoleAssignment -Role 'Application Mail.Everything'",
      "Get-ManagementScope 'senders'",
    );
    expect(r.errors).toBe(1);
    expect(r.transcript.match(new RegExp(`ObjectId\\s+: ${app.servicePrincipalId}`, "g"))).toHaveLength(3);
    expect(r.transcript.match(/Name\s+: Senders - Application Mail\.Send/g)).toHaveLength(2);
    expect(r.transcript).toContain("object 'Application Mail.Everything' couldn't be found");
    expect(r.transcript).toMatch(/RecipientFilter\s+: PrimarySmtpAddress -eq '/);
  });

  it("Set-ManagementScope: a bad filter changes nothing, a missing scope is not found, -WhatIf changes nothing, a rename keeps the assignments", async () => {
    const app = await seedApp();
    const { shared, allowed } = sb.endpoints.mailboxes;
    await run(...rbacScript(app, [shared]));
    const before = filterOf([shared]);
    const r = await run(
      "Set-ManagementScope -Identity 'Senders' -RecipientRestrictionFilter \"NoSuchProperty -eq 'x'\"",
      "Set-ManagementScope -Identity 'Nope' -RecipientRestrictionFilter \"PrimarySmtpAddress -eq 'x@y'\"",
      `Set-ManagementScope 'Senders' -RecipientRestrictionFilter ${quote(filterOf([allowed]))} -WhatIf`,
    );
    expect(r.errors).toBe(2);
    expect(r.transcript).toContain("Cannot bind parameter 'RecipientRestrictionFilter'");
    expect(r.transcript).toContain("object 'Nope' couldn't be found");
    expect(r.transcript).toContain('What if: Performing the operation "Set-ManagementScope" on target "Senders".');
    expect(store().managementScopes.find((m) => m.name === "Senders")!.recipientRestrictionFilter).toBe(before);

    const renamed = await run("Set-ManagementScope -Identity 'Senders' -Name 'Portal senders'", `Test-ServicePrincipalAuthorization '${app.servicePrincipalId}' -Resource '${shared}'`);
    expect(renamed).toMatchObject({ ok: true, errors: 0 });
    expect(renamed.transcript).toMatch(/AllowedResourceScope\s+: Portal senders[\s\S]*InScope\s+: True/);
    expect(store().roleAssignments.filter((a) => a.appId === app.appId).map((a) => a.customResourceScope)).toEqual(["Portal senders"]);
  });

  it("New-ManagementRoleAssignment: -Name is unique and at most 64 characters; unnamed assignments get a free name", async () => {
    const app = await seedApp();
    const sp = app.servicePrincipalId;
    const r = await run(
      `New-ServicePrincipal -AppId '${app.appId}' -ObjectId '${sp}'`,
      `New-ManagementRoleAssignment -Name '${"n".repeat(65)}' -App '${sp}' -Role 'Application Mail.Send'`,
      `New-ManagementRoleAssignment -App '${sp}' -Role 'Application Mail.Send'`,
      `New-ManagementRoleAssignment -App '${sp}' -Role 'Application Mail.Send'`,
    );
    expect(r.errors).toBe(1);
    expect(r.transcript).toContain("the maximum is 64");
    const names = store().roleAssignments.filter((a) => a.appId === app.appId).map((a) => a.name);
    expect(names).toEqual([`Application Mail.Send-${app.appId}`, `Application Mail.Send-${app.appId}2`]);
  });

  it("Get-DistributionGroup and Get-DistributionGroupMember: add only the members that are missing", async () => {
    const { shared, allowed, outsidePolicy } = sb.endpoints.mailboxes;
    const group = sb.endpoints.group;
    const addMissing = (m: string) => [
      `$present = $members | Where-Object PrimarySmtpAddress -EQ '${m}'`,
      `if ($present) { Write-Host 'member: ${m}' } else { Add-DistributionGroupMember -Identity '${group}' -Member '${m}' -BypassSecurityGroupManagerCheck }`,
    ];
    const script = [
      `$g = Get-DistributionGroup -Identity '${group}' -ErrorAction SilentlyContinue`,
      "if ($g) { Write-Host 'group: exists' } else { Write-Host 'group: missing' }",
      `$members = Get-DistributionGroupMember -Identity '${group}' -ResultSize Unlimited`,
      ...[shared, allowed, outsidePolicy].flatMap(addMissing),
    ];
    const r = await run(...script);
    expect(r).toMatchObject({ ok: true, errors: 0 });
    expect(r.transcript).toContain("group: exists");
    // The demo group holds the shared mailbox and Adele already: only Alex is added.
    expect(r.transcript).toContain(`member: ${shared}`);
    expect(r.transcript).toContain(`member: ${allowed}`);
    expect(r.trace.filter((e) => e.command === "Add-DistributionGroupMember")).toHaveLength(1);
    const again = await run(...script);
    expect(again).toMatchObject({ ok: true, errors: 0 });
    expect(again.trace.filter((e) => e.command === "Add-DistributionGroupMember")).toHaveLength(0);
    // Get-ApplicationAccessPolicy lists the tenant's policies; piped through Where-Object AppId, a script finds its own.
    const app = await seedApp();
    const policy = [
      `$policy = Get-ApplicationAccessPolicy | Where-Object AppId -EQ '${app.appId}'`,
      `if ($policy) { Write-Host 'policy: exists' } else { New-ApplicationAccessPolicy -AppId '${app.appId}' -PolicyScopeGroupId '${group}' -AccessRight RestrictAccess }`,
    ];
    expect(await run(...policy)).toMatchObject({ ok: true, errors: 0 });
    const policyAgain = await run(...policy, "$id = $policy.Identity", "Get-ApplicationAccessPolicy -Identity $id", "Get-ApplicationAccessPolicy -Identity 'no\\such:policy'");
    expect(policyAgain.errors).toBe(1);
    expect(policyAgain.transcript).toContain("policy: exists");
    expect(policyAgain.transcript).toMatch(new RegExp(`AppId\\s+: ${app.appId}`));
    expect(store().accessPolicies.filter((p) => p.appId === app.appId)).toHaveLength(1);
    // A mailbox is not a group: Get-DistributionGroup does not find it.
    const notGroup = await run(`Get-DistributionGroup -Identity '${shared}'`, `Get-DistributionGroupMember '${shared}'`);
    expect(notGroup.errors).toBe(2);
  });
});
