import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox, type TestSandbox } from "m365-sandbox/helpers";
import type { TraceEntry } from "m365-sandbox";
import { parseOpath } from "m365-sandbox";
import { graphPowerShellRegistration } from "@/lib/powershell/app-registration";
import { certificateUploadScript } from "@/lib/powershell/certificate-upload";
import { accessPolicyScript, rbacScript, recipientFilter } from "@/lib/powershell/exchange-restriction";
import { GRAPH_APP_ID, PERMISSION_IDS } from "@/lib/powershell/permissions";
import { removeTenantGrantScript } from "@/lib/powershell/remove-tenant-grant";
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
    name: "RBAC for Applications",
    // client id, service principal object id, app display name, scope name, two mailboxes, the outside mailbox
    slots: 7,
    script: ([clientId, spId, appName, scope, m1, m2, outside]) => rbacScript({
      clientId: clientId!, servicePrincipalObjectId: spId!, appDisplayName: appName!, scopeName: scope!, mailboxes: [m1!, m2!], outsideMailbox: outside!, groupAddress: "unused@contoso.com", createGroup: false,
      largeAttachments: true,
    }),
    expected: ([clientId, spId, appName, scope, m1, m2, outside]) => [
      cmd("Connect-ExchangeOnline", { ShowBanner: false }),
      cmd("New-ServicePrincipal", { AppId: clientId, ObjectId: spId, DisplayName: appName }),
      cmd("New-ManagementScope", { Name: scope, RecipientRestrictionFilter: recipientFilter([m1!, m2!]) }),
      // -App and -Identity: the service principal's object id (New-ManagementRoleAssignment reference).
      cmd("New-ManagementRoleAssignment", { App: spId, Role: "Application Mail.Send", CustomResourceScope: scope }),
      cmd("New-ManagementRoleAssignment", { App: spId, Role: "Application Mail.ReadWrite", CustomResourceScope: scope }),
      cmd("Test-ServicePrincipalAuthorization", { Identity: spId, Resource: m1 }),
      cmd("Test-ServicePrincipalAuthorization", { Identity: spId, Resource: m2 }),
      // An empty outside mailbox means "none": the generator leaves that check out.
      ...(outside ? [cmd("Test-ServicePrincipalAuthorization", { Identity: spId, Resource: outside })] : []),
      cmd("Write-Warning", { Message: "Next: remove the tenant-wide Mail.Send (application) grant in Entra ID, or this scope has no effect." }),
    ],
    // The OPATH filter Exchange parses holds exactly the mailboxes: quoted once for each language.
    also: (trace, [, , , , m1, m2]) => {
      const filter = trace.find((e) => e.command === "New-ManagementScope")!.args!.RecipientRestrictionFilter as string;
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
    expected: ([clientId, group, m1, outside]) => [
      cmd("Connect-ExchangeOnline", { ShowBanner: false }),
      cmd("New-DistributionGroup", { Name: group!.split("@")[0], Type: "Security", PrimarySmtpAddress: group }),
      cmd("Add-DistributionGroupMember", { Identity: group, Member: m1, BypassSecurityGroupManagerCheck: true }),
      // -AppId is multi-valued (MultiValuedProperty): bound as a list of one.
      cmd("New-ApplicationAccessPolicy", { AppId: [clientId], PolicyScopeGroupId: group, AccessRight: "RestrictAccess", Description: "Graph Mail Portal: send only as members of this group" }),
      cmd("Test-ApplicationAccessPolicy", { Identity: m1, AppId: clientId }),
      ...(outside ? [cmd("Test-ApplicationAccessPolicy", { Identity: outside, AppId: clientId })] : []),
    ],
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
