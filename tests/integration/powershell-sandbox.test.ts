import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { startTestSandbox, type TestSandbox } from "m365-sandbox/helpers";
import { graphPowerShellRegistration } from "@/lib/powershell/app-registration";
import { certificateUploadScript } from "@/lib/powershell/certificate-upload";
import { accessPolicyScript, rbacScript } from "@/lib/powershell/exchange-restriction";
import { makeClientCertificate } from "@/lib/tenants/wizard/generate-certificate";

// The portal's generated scripts, run by the sandbox's PowerShell runner over HTTP: the app, its
// permissions, its certificate and the restriction exist because the scripts made them — then the real
// MSAL and Graph prove it (token roles, 202 for the allowed mailbox, 403 for the one outside).
let sb: TestSandbox;
const domain = `fabrikam-${randomBytes(3).toString("hex")}.sandbox`;
const people = { admin: `admin@${domain}`, shared: `hr-welcome@${domain}`, outside: `alex@${domain}`, group: `graph-senders@${domain}` };

beforeAll(async () => {
  process.env.PORTAL_SECRET_KEY ??= randomBytes(32).toString("hex");
  sb = await startTestSandbox();
  const seeded = await sb.control("/seed", {
    tenants: [{ domain, displayName: "Fabrikam" }],
    users: [
      { tenant: domain, userPrincipalName: people.admin, displayName: "Admin", directoryRoles: ["Global Administrator"] },
      { tenant: domain, userPrincipalName: people.shared, displayName: "HR Welcome", mailbox: "shared" },
      { tenant: domain, userPrincipalName: people.outside, displayName: "Alex" },
    ],
    groups: [{ tenant: domain, displayName: "All Fabrikam", kind: "distribution", mail: `all@${domain}`, members: [people.outside] }],
  });
  expect(seeded.status).toBe(201);
});
afterAll(async () => sb?.close());

async function run(script: string, tenant = domain) {
  const r = await sb.control<{ transcript: string; ok: boolean; errors: number; trace: { command?: string; args?: Record<string, unknown>; output?: string[] }[] }>("/powershell/run", { script, tenant, trace: true });
  expect(r.status).toBe(200);
  return r.json;
}

const base = {
  displayName: "Graph Mail Portal", directoryId: domain, useApplication: true, useDelegated: false, largeAttachments: false,
  signInRedirectUri: "http://localhost:3000/api/auth/callback/microsoft", consentRedirectUri: "http://localhost:3000/api/setup/consent",
  credential: "certificate" as const, secretEndDateTime: "2027-05-28T00:00:00Z",
};

describe("the generated scripts, run in the sandbox", () => {
  let clientId = "";
  let spId = "";
  const cert = makeClientCertificate(1, "Graph Mail Portal");

  it("registers the app with exactly Mail.Send, its service principal and the app role (admin consent)", async () => {
    const r = await run(graphPowerShellRegistration(base));
    expect(r.transcript).not.toMatch(/CategoryInfo/);
    expect(r).toMatchObject({ ok: true, errors: 0 });
    clientId = /Application \(client\) ID: ([0-9a-f-]{36})/.exec(r.transcript)![1]!;
    spId = /service principal\) object ID: ([0-9a-f-]{36})/.exec(r.transcript)![1]!;
    const state = (await sb.control<{ apps: { appId: string; redirectUris: string[]; requiredResourceAccess: { resourceAccess: { id: string; type: string }[] }[] }[]; appRoleGrants: { appId: string; value: string }[] }>("/state")).json;
    const app = state.apps.find((a) => a.appId === clientId)!;
    expect(app.requiredResourceAccess[0]!.resourceAccess).toEqual([{ id: "b633e1c5-b582-4048-a93e-9f11b44c7e96", type: "Role" }]);
    expect(app.redirectUris).toEqual([base.consentRedirectUri]);
    expect(state.appRoleGrants.filter((g) => g.appId === clientId).map((g) => g.value)).toEqual(["Mail.Send"]);
  });

  it("uploads the portal's certificate, and MSAL gets a token with it carrying Mail.Send", async () => {
    const b64 = cert.certificatePem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, "");
    const r = await run(certificateUploadScript({ directoryId: domain, clientId, certificateBase64: b64, displayName: "Graph Mail Portal certificate" }));
    expect(r.transcript).not.toMatch(/CategoryInfo/);
    expect(r).toMatchObject({ ok: true });
    const token = await tokenFor(clientId, cert);
    expect(JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).roles).toEqual(["Mail.Send"]);
  });

  it("refuses a shared mailbox as PolicyScopeGroupId with a Microsoft-style error, and names unknown cmdlets and parameters", async () => {
    const r = await run(["Connect-ExchangeOnline -ShowBanner:$false", `New-ApplicationAccessPolicy -AppId '${clientId}' -PolicyScopeGroupId '${people.shared}' -AccessRight RestrictAccess`, "New-MgBogus -X 1", "Connect-MgGraph -TenantId 'x.sandbox' -Bogus"].join("\n"));
    expect(r).toMatchObject({ ok: false, errors: 3 });
    expect(r.transcript).toContain(`New-ApplicationAccessPolicy : '${people.shared}' is a SharedMailbox. PolicyScopeGroupId must be a user mailbox, a mail user or a mail-enabled security group. Add the mailbox to a mail-enabled security group`);
    expect(r.transcript).toContain("New-MgBogus : The term 'New-MgBogus' is not recognized as the name of a cmdlet");
    expect(r.transcript).toContain("Connect-MgGraph : A parameter cannot be found that matches parameter name 'Bogus'.");
    expect(r.transcript).toMatch(/At line:2 char:1\n\+ New-ApplicationAccessPolicy/);
    // Exchange cmdlets only exist after Connect-ExchangeOnline, as with the real module.
    const before = await run(`Test-ApplicationAccessPolicy -Identity '${people.shared}' -AppId '${clientId}'`);
    expect(before.transcript).toContain("'Test-ApplicationAccessPolicy' is not recognized");
    const state = (await sb.control<{ accessPolicies: { appId: string }[] }>("/state")).json;
    expect(state.accessPolicies.filter((p) => p.appId === clientId)).toEqual([]);
  });

  it("restricts the app with the application access policy script: 202 inside, 403 outside", async () => {
    const input = { clientId, servicePrincipalObjectId: spId, appDisplayName: "Graph Mail Portal", mailboxes: [people.shared], groupAddress: people.group, createGroup: true, scopeName: "Graph Mail Portal senders", outsideMailbox: people.outside };
    const r = await run(accessPolicyScript(input));
    expect(r.transcript).not.toMatch(/CategoryInfo/);
    expect(r.ok).toBe(true);
    expect(r.transcript).toMatch(new RegExp(`Mailbox\\s+: ${people.shared}[\\s\\S]*?AccessCheckResult : Granted`));
    expect(r.transcript).toMatch(new RegExp(`Mailbox\\s+: ${people.outside}[\\s\\S]*?AccessCheckResult : Denied`));
    const token = await tokenFor(clientId, cert);
    expect((await sendAs(token, people.shared)).status).toBe(202);
    const denied = await sendAs(token, people.outside);
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: { message: string } }).error.message).toMatch(/^Access to OData is disabled/);
    // Run again with the same mailboxes: the group, its member and the policy are found, nothing is made twice.
    const again = await run(accessPolicyScript(input));
    expect(again.transcript).not.toMatch(/CategoryInfo/);
    expect(again).toMatchObject({ ok: true, errors: 0 });
    expect(again.transcript).toContain(`Group: ${people.group} already exists.`);
    expect(again.transcript).toContain(`Member: ${people.shared} is already in the group.`);
    expect(again.transcript).toContain("Application access policy: the app already has one.");
    expect(again.trace.filter((e) => e.command?.startsWith("New-") || e.command === "Add-DistributionGroupMember")).toEqual([]);
  });

  it("RBAC for Applications: registers the service principal, scope and assignment; InScope True/False", async () => {
    const input = { clientId, servicePrincipalObjectId: spId, appDisplayName: "Graph Mail Portal", mailboxes: [people.shared, "o'brien@x.sandbox"], groupAddress: people.group, createGroup: false, scopeName: "Senders 'quoted'", outsideMailbox: people.outside };
    const r = await run(rbacScript({ ...input, mailboxes: [people.shared] }));
    expect(r.transcript).not.toMatch(/CategoryInfo/);
    // The script's own checks, each with the mailbox it asked about (the runner's trace pairs them).
    const checks = r.trace.filter((e) => e.command === "Test-ServicePrincipalAuthorization").map((e) => [e.args?.Resource, (e.output ?? []).join("\n").match(/InScope\s+: (\w+)/)?.[1]]);
    expect(checks).toEqual([[people.shared, "True"], [people.outside, "False"]]);
    expect(r.transcript).toContain("WARNING: Next: remove the tenant-wide Mail.Send");
    // -App takes the service principal's object id, as the reference asks.
    expect(r.trace.filter((e) => e.command === "New-ManagementRoleAssignment").map((e) => e.args?.App)).toEqual([spId]);
    // Run again after the restriction changed (a second mailbox): nothing is created twice, the scope's filter
    // is replaced, and the script's own check now finds the new mailbox in scope.
    const again = await run(rbacScript({ ...input, mailboxes: [people.shared, people.outside], outsideMailbox: undefined }));
    expect(again.transcript).not.toMatch(/CategoryInfo/);
    expect(again).toMatchObject({ ok: true, errors: 0 });
    expect(again.transcript).toContain("Service principal: already registered with Exchange.");
    expect(again.transcript).toContain("Management scope: updated for the listed mailboxes.");
    expect(again.trace.filter((e) => e.command?.startsWith("New-"))).toEqual([]);
    const rechecks = again.trace.filter((e) => e.command === "Test-ServicePrincipalAuthorization").map((e) => [e.args?.Resource, (e.output ?? []).join("\n").match(/InScope\s+: (\w+)/)?.[1]]);
    expect(rechecks).toEqual([[people.shared, "True"], [people.outside, "True"]]);
    // A wrong object id (the app registration's, not the enterprise app's) is refused.
    const wrong = await run(`Connect-ExchangeOnline\nNew-ServicePrincipal -AppId '${clientId}' -ObjectId '${clientId}'`);
    expect(wrong.transcript).toContain("Use the Object ID from Entra ID → Enterprise applications");
  });
});

async function tokenFor(clientId: string, cert: { thumbprintSha256: string; privateKeyPem: string }): Promise<string> {
  const app = new ConfidentialClientApplication({
    auth: { clientId, authority: `${sb.endpoints.loginUrl}/${domain}`, knownAuthorities: [new URL(sb.endpoints.loginUrl).host], clientCertificate: { thumbprintSha256: cert.thumbprintSha256, privateKey: cert.privateKeyPem } },
  });
  const r = await app.acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.com/.default"], skipCache: true });
  return r!.accessToken;
}

function sendAs(token: string, from: string) {
  return fetch(`${sb.endpoints.graphUrl}/v1.0/users/${encodeURIComponent(from)}/sendMail`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ message: { subject: "t", body: { contentType: "Text", content: "t" }, toRecipients: [{ emailAddress: { address: from } }] } }),
  });
}
