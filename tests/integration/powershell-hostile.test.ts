import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox, type TestSandbox } from "m365-sandbox/helpers";
import type { TraceEntry } from "m365-sandbox";
import { parseOpath } from "m365-sandbox";
import { graphPowerShellRegistration } from "@/lib/powershell/app-registration";
import { certificateUploadScript } from "@/lib/powershell/certificate-upload";
import { accessPolicyScript, assignmentName, rbacScript, recipientFilter } from "@/lib/powershell/exchange-restriction";
import { GRAPH_APP_ID, PERMISSION_IDS } from "@/lib/powershell/permissions";
import { removeTenantGrantScript } from "@/lib/powershell/remove-tenant-grant";
import { addCertificateScript, addSecretScript, removeCertificateScript, removeSecretScript } from "@/lib/powershell/credential-rotation";
import { UnsafeScriptValue } from "@/lib/powershell/quote";
import { hostileStrings, window } from "../support/hostile-strings";

// Issue 10: 1,200 hostile strings for every PowerShell generator, EXECUTED. PowerShell is not installed
// here, so the scripts run in the sandbox's PowerShell runner (m365-sandbox, src/powershell) with
// {"trace": true}: it answers every statement it ran and the arguments each cmdlet was bound to — the
// runner's equivalent of replacing a command with one that prints its arguments. Each generated
// script must hand its cmdlets exactly the values that went in (every slot a different hostile value),
// run exactly the statements a benign script runs (nothing added, nothing cut short) and never hit a
// syntax error. Many scripts share one run (separated by a marker statement) to keep the run short.
let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => sb?.close());

const strings = hostileStrings(1200);
const MARK = `case-${randomBytes(6).toString("hex")}-`;
const BATCH_BYTES = 200 * 1024;

type Expected = Record<string, unknown>[];
interface Generator {
  name: string;
  slots: number;
  script(v: string[]): string;
  expected(v: string[]): Expected;
  /** What else must hold of one case's trace. */
  also?(trace: TraceEntry[], v: string[]): void;
}

// toMatchObject: the entries' listed fields must match (unlisted arguments, such as ids from earlier statements, may differ).
const cmd = (command: string, args?: Record<string, unknown>, assign?: string) => ({ command, ...(args ? { args } : {}), ...(assign ? { assign } : {}) });
const GRAPH_SCOPES = ["Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All"];

const generators: Generator[] = [
  {
    name: "Graph PowerShell registration",
    // directory, display name, sign-in redirect, consent redirect, secret end date
    slots: 5,
    script: ([dir, name, signIn, consent, end]) => graphPowerShellRegistration({
      displayName: name!, directoryId: dir!, signInRedirectUri: signIn!, consentRedirectUri: consent!, secretEndDateTime: end!,
      useApplication: true, useDelegated: true, largeAttachments: true, credential: "secret",
    }),
    expected: ([dir, name, signIn, consent, end]) => [
      cmd("Connect-MgGraph", { TenantId: dir, Scopes: GRAPH_SCOPES, NoWelcome: true }),
      cmd("Get-MgServicePrincipal", { Filter: `appId eq '${GRAPH_APP_ID}'` }, "$graphSp"),
      { assign: "$appParams" },
      cmd("New-MgApplication", {
        DisplayName: name, SignInAudience: "AzureADMyOrg", Web: { RedirectUris: [signIn, consent] },
        RequiredResourceAccess: [{ ResourceAppId: GRAPH_APP_ID, ResourceAccess: [
          { Id: PERMISSION_IDS["Mail.Send:Role"], Type: "Role" }, { Id: PERMISSION_IDS["Mail.ReadWrite:Role"], Type: "Role" },
          { Id: PERMISSION_IDS["Mail.Send:Scope"], Type: "Scope" }, { Id: PERMISSION_IDS["Mail.ReadWrite:Scope"], Type: "Scope" }, { Id: PERMISSION_IDS["User.Read:Scope"], Type: "Scope" },
          { Id: PERMISSION_IDS["openid:Scope"], Type: "Scope" }, { Id: PERMISSION_IDS["profile:Scope"], Type: "Scope" },
          { Id: PERMISSION_IDS["email:Scope"], Type: "Scope" }, { Id: PERMISSION_IDS["offline_access:Scope"], Type: "Scope" },
        ] }],
      }, "$app"),
      cmd("New-MgServicePrincipal", undefined, "$sp"),
      cmd("Write-Host"),
      cmd("Write-Host"),
      cmd("New-MgServicePrincipalAppRoleAssignedTo", { AppRoleId: PERMISSION_IDS["Mail.Send:Role"] }),
      cmd("New-MgServicePrincipalAppRoleAssignedTo", { AppRoleId: PERMISSION_IDS["Mail.ReadWrite:Role"] }),
      cmd("Add-MgApplicationPassword", { PasswordCredential: { DisplayName: "Graph Mail Portal", EndDateTime: end } }, "$secret"),
      cmd("Write-Host"),
      cmd("Write-Host"),
    ],
  },
  {
    name: "certificate upload",
    // directory, client id, certificate display name (the certificate itself is base64 the portal made)
    slots: 3,
    script: ([dir, clientId, name]) => certificateUploadScript({ directoryId: dir!, clientId: clientId!, certificateBase64: "MIIBszCCAV2g", displayName: name! }),
    expected: ([dir, clientId, name]) => [
      cmd("Connect-MgGraph", { TenantId: dir, Scopes: ["Application.ReadWrite.All"], NoWelcome: true }),
      cmd("Get-MgApplication", { Filter: `appId eq '${clientId}'` }, "$app"),
      { assign: "$keyCredential" },
      cmd("Update-MgApplication", { KeyCredentials: [{ Type: "AsymmetricX509Cert", Usage: "Verify", DisplayName: name, Key: { base64: "MIIBszCCAV2g" } }] }),
      cmd("Write-Host"),
    ],
  },
  {
    name: "rotation: add a client secret",
    // directory, client id, secret display name, end date
    slots: 4,
    script: ([dir, clientId, name, end]) => addSecretScript({ directoryId: dir!, clientId: clientId! }, name!, end!),
    expected: ([dir, clientId, name, end]) => [
      cmd("Connect-MgGraph", { TenantId: dir, Scopes: ["Application.ReadWrite.All"], NoWelcome: true }),
      cmd("Get-MgApplication", { Filter: `appId eq '${clientId}'` }, "$app"),
      cmd("Add-MgApplicationPassword", { PasswordCredential: { DisplayName: name, EndDateTime: end } }, "$secret"),
      cmd("Write-Host"), cmd("Write-Host"), cmd("Write-Host"),
    ],
  },
  {
    name: "rotation: add a certificate next to the current one",
    // directory, client id, new certificate's display name, current certificate's display name, SHA-1 (printed)
    slots: 5,
    script: ([dir, clientId, next, keep, sha1]) => addCertificateScript({ directoryId: dir!, clientId: clientId! }, { base64: "MIIBszCCAV2g", displayName: next!, thumbprintSha1: sha1! }, { base64: "MIIBszCCAV2h", displayName: keep!, thumbprintSha1: "AB" }),
    expected: ([dir, clientId, next, keep, sha1]) => [
      cmd("Connect-MgGraph", { TenantId: dir, Scopes: ["Application.ReadWrite.All"], NoWelcome: true }),
      cmd("Get-MgApplication", { Filter: `appId eq '${clientId}'` }, "$app"),
      { assign: "$newCert" },
      { assign: "$currentCert" },
      cmd("Update-MgApplication", { KeyCredentials: [{ DisplayName: keep, Key: { base64: "MIIBszCCAV2h" } }, { DisplayName: next, Key: { base64: "MIIBszCCAV2g" } }] }),
      cmd("Write-Host", { Object: `New certificate added: SHA-1 thumbprint ${sha1}` }),
    ],
  },
  {
    name: "rotation: remove the old secret by its hint",
    // the old secret's hint and the new secret's key id, on the demo app (so the pipeline has credentials to filter)
    slots: 2,
    script: ([hint, notKeyId]) => removeSecretScript({ directoryId: sb.endpoints.tenant.id, clientId: sb.endpoints.app.clientId }, { hint: hint!, notKeyId: notKeyId! }),
    expected: ([hint]) => [
      cmd("Connect-MgGraph", { TenantId: sb.endpoints.tenant.id }),
      cmd("Get-MgApplication", { Filter: `appId eq '${sb.endpoints.app.clientId}'` }, "$app"),
      { command: "Where-Object", args: { Property: "Hint", Value: hint, EQ: true }, assign: "$old" },
      { assign: "$oldKeyId" },
      cmd("Remove-MgApplicationPassword"),
      cmd("Write-Host"),
    ],
    also: (trace, [hint]) => {
      // Not the demo secret's hint: nothing matched, nothing removed (the binding refuses the empty key id).
      if (hint !== sb.endpoints.app.clientSecret.slice(0, 3)) expect(trace.find((e) => e.command === "Remove-MgApplicationPassword")?.error).toMatch(/empty string|null/);
    },
  },
  {
    name: "rotation: remove the old secret by its key id, and the old certificate",
    slots: 2,
    script: ([keyId, keep]) =>
      removeSecretScript({ directoryId: sb.endpoints.tenant.id, clientId: sb.endpoints.app.clientId }, { keyId: keyId! }) +
      removeCertificateScript({ directoryId: sb.endpoints.tenant.id, clientId: sb.endpoints.app.clientId }, { base64: "MIIBszCCAV2g", displayName: keep!, thumbprintSha1: "AB" }, { thumbprintSha1: "CD" }),
    expected: ([keyId, keep]) => [
      cmd("Connect-MgGraph"), cmd("Get-MgApplication", undefined, "$app"), { assign: "$oldKeyId" },
      cmd("Remove-MgApplicationPassword", { KeyId: keyId }),
      cmd("Write-Host"),
      cmd("Connect-MgGraph"), cmd("Get-MgApplication", undefined, "$app"), { assign: "$newCert" },
      cmd("Update-MgApplication", { KeyCredentials: [{ DisplayName: keep }] }),
      cmd("Write-Host"),
    ],
  },
  {
    name: "RBAC for Applications",
    // client id, service principal object id, app display name, scope name, two mailboxes, the outside mailbox
    slots: 7,
    script: ([clientId, spId, appName, scope, m1, m2, outside]) => rbacScript({
      clientId: clientId!, servicePrincipalObjectId: spId!, appDisplayName: appName!, scopeName: scope!, mailboxes: [m1!, m2!], outsideMailbox: outside!, groupAddress: "unused@contoso.com", createGroup: false,
      largeAttachments: true,
    }),
    // Re-runnable (each object looked up first): the hostile object id and client id match no enterprise app, so
    // the service principal and the role assignments are never found and their `if` takes the New-… branch
    // (the trace holds the if statement, then the branch). A scope made by an earlier case of the same run can
    // have the same name (Exchange compares names case-insensitively): then Set-ManagementScope runs instead,
    // which `also` checks with the exact values.
    expected: ([clientId, spId, appName, scope, m1, m2, outside]) => [
      cmd("Connect-ExchangeOnline", { ShowBanner: false }),
      cmd("Get-ServicePrincipal", { Identity: spId, ErrorAction: "SilentlyContinue" }, "$exoSp"),
      {},
      cmd("New-ServicePrincipal", { AppId: clientId, ObjectId: spId, DisplayName: appName }),
      cmd("Get-ManagementScope", { Identity: scope, ErrorAction: "SilentlyContinue" }, "$scope"),
      {},
      { command: expect.stringMatching(/^(New|Set)-ManagementScope$/), args: expect.objectContaining({ RecipientRestrictionFilter: recipientFilter([m1!, m2!]) }) },
      cmd("Write-Host", { Object: expect.stringMatching(/^Management scope: (created|updated) for the listed mailboxes\.$/) }),
      // -App and -Identity: the service principal's object id (New-ManagementRoleAssignment reference).
      cmd("Get-ManagementRoleAssignment", { Identity: assignmentName(scope!, "Application Mail.Send"), ErrorAction: "SilentlyContinue" }, "$mailSend"),
      {},
      cmd("New-ManagementRoleAssignment", { Name: assignmentName(scope!, "Application Mail.Send"), App: spId, Role: "Application Mail.Send", CustomResourceScope: scope }),
      cmd("Get-ManagementRoleAssignment", { Identity: assignmentName(scope!, "Application Mail.ReadWrite"), ErrorAction: "SilentlyContinue" }, "$mailReadWrite"),
      {},
      cmd("New-ManagementRoleAssignment", { Name: assignmentName(scope!, "Application Mail.ReadWrite"), App: spId, Role: "Application Mail.ReadWrite", CustomResourceScope: scope }),
      cmd("Test-ServicePrincipalAuthorization", { Identity: spId, Resource: m1 }),
      cmd("Test-ServicePrincipalAuthorization", { Identity: spId, Resource: m2 }),
      // An empty outside mailbox means "none": the generator leaves that check out.
      ...(outside ? [cmd("Test-ServicePrincipalAuthorization", { Identity: spId, Resource: outside })] : []),
      cmd("Write-Warning", { Message: "Next: remove the tenant-wide Mail.Send (application) grant in Entra ID, or this scope has no effect." }),
    ],
    also: (trace, [, , , scope, m1, m2]) => {
      // The scope's branch with its exact values: New-ManagementScope -Name, or Set-ManagementScope -Identity.
      const e = trace.find((x) => x.command === "New-ManagementScope" || x.command === "Set-ManagementScope")!;
      expect(e.args, JSON.stringify(scope)).toEqual(e.command === "New-ManagementScope" ? { Name: scope, RecipientRestrictionFilter: recipientFilter([m1!, m2!]) } : { Identity: scope, RecipientRestrictionFilter: recipientFilter([m1!, m2!]) });
      // The OPATH filter Exchange parses holds exactly the mailboxes: quoted once for each language.
      const filter = e.args!.RecipientRestrictionFilter as string;
      expect(parseOpath(filter), JSON.stringify([m1, m2])).toEqual({
        t: "or", a: { t: "cmp", prop: "PrimarySmtpAddress", op: "eq", value: m1 }, b: { t: "cmp", prop: "PrimarySmtpAddress", op: "eq", value: m2 },
      });
    },
  },
  {
    name: "removal of the tenant-wide grant",
    // directory, client id, app display name. With a hostile client id no service principal is found, so
    // each `if` takes its else branch: the trace holds the if statement, then the branch's Write-Host.
    slots: 3,
    script: ([dir, clientId, name]) => removeTenantGrantScript({ directoryId: dir!, clientId: clientId!, appDisplayName: name! }),
    expected: ([dir, clientId, name]) => [
      cmd("Connect-MgGraph", { TenantId: dir, Scopes: ["Application.Read.All", "AppRoleAssignment.ReadWrite.All"], NoWelcome: true }),
      cmd("Get-MgServicePrincipal", { Filter: `appId eq '${GRAPH_APP_ID}'` }, "$graphSp"),
      cmd("Get-MgServicePrincipal", { Filter: `appId eq '${clientId}'` }, "$sp"),
      cmd("Get-MgServicePrincipalAppRoleAssignment", { All: true }, "$mailSend"),
      {},
      cmd("Write-Host", { Object: "Mail.Send (application) is not granted tenant-wide: nothing to remove." }),
      cmd("Get-MgServicePrincipalAppRoleAssignment", { All: true }, "$mailReadWrite"),
      {},
      cmd("Write-Host", { Object: "Mail.ReadWrite (application) is not granted tenant-wide: nothing to remove." }),
      cmd("Write-Host", { Object: `Done: ${name} now holds no tenant-wide mail permission; Exchange RBAC decides. Verify again in the portal, then prove it.` }),
    ],
  },
  {
    name: "application access policy",
    // client id, group address, a mailbox, the outside mailbox
    slots: 4,
    script: ([clientId, group, m1, outside]) => accessPolicyScript({
      clientId: clientId!, groupAddress: group!, mailboxes: [m1!], outsideMailbox: outside!, createGroup: true, servicePrincipalObjectId: "x", appDisplayName: "x", scopeName: "x",
    }),
    // Re-runnable: the group, its members and the policy are looked up first. The hostile client id is never a
    // GUID, so no policy is ever made for it and the policy's `if` takes the New-… branch. The group may exist from
    // an earlier case of the same run (a hostile address can name an earlier group): then the branch prints instead
    // of New-DistributionGroup, which `also` checks with the exact values. Get-DistributionGroupMember of a group
    // that could not be made is an error (the service's answer), and every member is then added.
    expected: ([clientId, group, m1, outside]) => [
      cmd("Connect-ExchangeOnline", { ShowBanner: false }),
      cmd("Get-DistributionGroup", { Identity: group, ErrorAction: "SilentlyContinue" }, "$group"),
      {},
      { command: expect.stringMatching(/^(New-DistributionGroup|Write-Host)$/) },
      cmd("Get-DistributionGroupMember", { Identity: group, ResultSize: "Unlimited" }, "$members"),
      cmd("Where-Object", undefined, "$member"),
      {},
      { command: expect.stringMatching(/^(Add-DistributionGroupMember|Write-Host)$/) },
      cmd("Get-ApplicationAccessPolicy", undefined, "$policy"),
      {},
      // -AppId is multi-valued (MultiValuedProperty): bound as a list of one.
      cmd("New-ApplicationAccessPolicy", { AppId: [clientId], PolicyScopeGroupId: group, AccessRight: "RestrictAccess", Description: "Graph Mail Portal: send only as members of this group" }),
      cmd("Test-ApplicationAccessPolicy", { Identity: m1, AppId: clientId }),
      ...(outside ? [cmd("Test-ApplicationAccessPolicy", { Identity: outside, AppId: clientId })] : []),
    ],
    also: (trace, [, group, m1]) => {
      const made = trace.find((e) => e.command === "New-DistributionGroup");
      if (made) expect(made.args, JSON.stringify(group)).toEqual({ Name: group!.split("@")[0], Type: "Security", PrimarySmtpAddress: group });
      else expect(trace.find((e) => e.command === "Write-Host")!.args, JSON.stringify(group)).toEqual({ Object: `Group: ${group} already exists.` });
      const added = trace.find((e) => e.command === "Add-DistributionGroupMember");
      if (added) expect(added.args, JSON.stringify(m1)).toEqual({ Identity: group, Member: m1, BypassSecurityGroupManagerCheck: true });
      else expect(trace.some((e) => e.command === "Write-Host" && e.args?.Object === `Member: ${m1} is already in the group.`), JSON.stringify(m1)).toBe(true);
    },
  },
];

interface RunResult { transcript: string; ok: boolean; errors: number; trace: TraceEntry[] }

async function run(script: string): Promise<RunResult> {
  const r = await sb.control<RunResult>("/powershell/run", { script, tenant: sb.endpoints.tenant.domain, trace: true });
  expect(r.status).toBe(200);
  return r.json;
}

/**
 * Runs every case's script, many to a run, each after a marker statement; answers each case's trace
 * (the statements between its marker and the next).
 */
async function traces(scripts: string[], batchBytes = BATCH_BYTES): Promise<TraceEntry[][]> {
  const out: TraceEntry[][] = [];
  let batch: string[] = [];
  let size = 0;
  const flush = async () => {
    if (!batch.length) return;
    // Each run starts from the demo tenant, so groups and scopes made by earlier runs do not pile up.
    expect((await sb.control("/reset", {})).status).toBe(200);
    const r = await run(batch.join(""));
    // A syntax error stops the whole run: every case of the run gets the error as its trace.
    const parserError = r.trace.length === 0 && /\(ParserError\)/.test(r.transcript);
    const cases: TraceEntry[][] = parserError ? batch.map(() => [{ line: 0, error: r.transcript }]) : [];
    for (const e of parserError ? [] : r.trace) {
      const marker = e.command === "Write-Output" && typeof e.args?.InputObject === "string" && e.args.InputObject.startsWith(MARK);
      if (marker) cases.push([]);
      else cases.at(-1)!.push(e);
    }
    expect(cases).toHaveLength(batch.length);
    out.push(...cases);
    batch = [];
    size = 0;
  };
  for (const [i, s] of scripts.entries()) {
    const text = `Write-Output '${MARK}${i}'\n${s}`;
    if (size + text.length > batchBytes) await flush();
    batch.push(text);
    size += text.length;
  }
  await flush();
  return out;
}

describe("generated PowerShell, run with 1,200 hostile values in every slot", () => {
  for (const g of generators) {
    it(`${g.name}: each cmdlet receives exactly the values that went in, and nothing else runs`, async () => {
      const cases = strings.map((_, i) => window(strings, i, g.slots));
      expect(cases).toHaveLength(1200);
      // Every slot sees every string once over the 1,200 cases.
      for (let k = 0; k < g.slots; k++) expect(new Set(cases.map((c) => c[k])).size).toBe(new Set(strings).size);
      const got = await traces(cases.map((c) => g.script(c)));
      // One comparison for all 1,200 (a failure's diff shows the case and its values).
      expect(got).toMatchObject(cases.map((c) => g.expected(c)));
      // Errors are the service's answers to odd values (no such tenant, not connected, already exists),
      // never the runner refusing what a value turned into.
      expect(got.flat().filter((e) => /not recognized|does not execute|is not supported|positional parameter|cannot be found that matches/.test(e.error ?? ""))).toEqual([]);
      for (const [i, c] of cases.entries()) g.also?.(got[i]!, c);
    }, 240_000);
  }

  it("the runner refuses a script PowerShell would read differently: a lone Unicode quote inside '…'", async () => {
    // The naive form a generator must never produce: the value's ’ would end PowerShell's string.
    const r = await run(`Write-Output 'it\u2019s'; Write-Output 'never runs'\n`);
    expect(r).toMatchObject({ ok: false, errors: 1, trace: [] });
    expect(r.transcript).toContain("ParserError");
    // Doubled, as psQuote writes it, it is one character of data.
    const ok = await run(`Write-Output 'it\u2019\u2019s'\n`);
    expect(ok.trace).toEqual([{ line: 1, command: "Write-Output", args: { InputObject: "it\u2019s" }, output: ["it\u2019s"] }]);
  });

  it("a naive generator fails the same comparison (the check can fail)", async () => {
    const naive = (v: string) => `Connect-ExchangeOnline -ShowBanner:$false\nNew-DistributionGroup -Name '${v}' -Type 'Security' -PrimarySmtpAddress 'g@contoso.com'\n`;
    // One script per run: a syntax error (which counts as wrong here) stops a whole run.
    const got = await traces(strings.slice(0, 200).map(naive), 0);
    expect(got).toHaveLength(200);
    const wrong = got.filter((t, i) => {
      const args = t.find((e) => e.command === "New-DistributionGroup")?.args;
      return t.length !== 2 || args?.Name !== strings[i];
    });
    expect(wrong.length).toBeGreaterThan(50);
  });

  it("refuses NUL in every slot of every generator", () => {
    for (const g of generators) {
      for (let k = 0; k < g.slots; k++) {
        const v = Array.from({ length: g.slots }, (_, j) => (j === k ? "a\0b" : "ok"));
        expect(() => g.script(v), `${g.name} slot ${k}`).toThrow(UnsafeScriptValue);
      }
    }
  });
});
