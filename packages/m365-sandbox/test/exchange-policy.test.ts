/**
 * Exchange evaluation functions, table-driven: application access policies (every combination in
 * GRAPH-FACTS §7), the combined Entra + policy + RBAC decision, PolicyScopeGroupId validity,
 * RecipientRestrictionFilter (OPATH) and recipient resolution. Real sends cover the same rules in
 * graph-policy.test.ts.
 */
import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { evaluateAccessPolicies, validatePolicyScope } from "../src/exchange/access-policy";
import { decideAppAccess, ODATA_DISABLED, ACCESS_DENIED } from "../src/exchange/authorize";
import { matchesFilter, OpathError, parseOpath } from "../src/exchange/opath";
import { evaluateRbac, testServicePrincipalAuthorization } from "../src/exchange/rbac";
import { expandGroup, resolveRecipient, type Recipient } from "../src/exchange/recipients";
import { acquireSlot, checkMessageRate, recordMessage, MAILBOX_CONCURRENCY } from "../src/exchange/throttling";
import { emptyStore, type ApplicationAccessPolicy, type Group, type Store } from "../src/model";
import { seedDemoTenant, type DemoSummary } from "../src/seed";

const id = {
  tenantId: randomUUID(),
  domain: "contoso.sandbox",
  appId: randomUUID(),
  appObjectId: randomUUID(),
  spObjectId: randomUUID(),
  clientSecret: "abc1Q~secret",
  secretKeyId: randomUUID(),
  certificatePem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
  x5t: "x5t",
  x5tS256: "x5tS256",
};
const T = id.tenantId;
let store: Store;
let summary: DemoSummary;
const uid = (addr: string) => {
  const r = resolveRecipient(store, T, addr);
  if (!r) throw new Error(`no recipient ${addr}`);
  return r.id;
};
const rec = (addr: string) => resolveRecipient(store, T, addr) as Recipient;
const a = (local: string) => `${local}@contoso.sandbox`;

function policy(appId: string, right: ApplicationAccessPolicy["accessRight"], scope: string): void {
  const s = validatePolicyScope(store, T, scope);
  if (!s.ok) throw new Error(s.error);
  store.accessPolicies.push({ identity: `${T}\\${appId}:${s.scopeId}`, tenantId: T, appId, accessRight: right, scopeId: s.scopeId, scopeName: s.scopeName });
}

function group(name: string, kind: Group["kind"], members: string[]): Group {
  const g: Group = { id: randomUUID(), tenantId: T, displayName: name, mail: a(name.toLowerCase().replace(/\s+/g, "-")), kind, members };
  store.groups.set(g.id, g);
  return g;
}

beforeEach(() => {
  store = emptyStore();
  summary = seedDemoTenant(store, id, new Date(), ["http://localhost:3000/cb"]);
});

describe("seedDemoTenant", () => {
  it("builds the welcome scenario", () => {
    expect(summary.mailboxes).toEqual({ allowed: a("adele.vance"), outsidePolicy: a("alex.wilber"), shared: a("hr-welcome") });
    expect(summary.group).toBe(a("graph-mail-senders"));
    expect(rec(summary.mailboxes.shared).details).toBe("SharedMailbox");
    expect(rec(summary.group).details).toBe("MailUniversalSecurityGroup");
    const weekAgo = Date.now() - 7 * 86_400_000;
    expect([...store.users.values()].filter((u) => Date.parse(u.createdDateTime) >= weekAgo)).toHaveLength(6);
    expect(store.accessPolicies).toHaveLength(1);
    expect(store.appRoleGrants.map((g) => g.value)).toEqual(expect.arrayContaining(["Mail.Send", "Mail.ReadWrite"]));
    expect(store.apps.get(id.appId)?.redirectUris).toEqual(["http://localhost:3000/cb"]);
    expect(summary.users.map((u) => u.upn)).toEqual([a("megan.bowen"), a("adele.vance")]);
    // Stable ids across reseeds.
    const before = uid(summary.mailboxes.shared);
    seedDemoTenant(store, id, new Date(), []);
    expect(uid(summary.mailboxes.shared)).toBe(before);
    expect(store.users.size).toBe(12);
  });
});

describe("recipient resolution", () => {
  it("resolves primary SMTP, proxy addresses, UPN and object id, case-insensitively", () => {
    const adele = uid(a("adele.vance"));
    expect(uid("ADELE.Vance@Contoso.Sandbox")).toBe(adele);
    expect(uid("adele@contoso.sandbox")).toBe(adele);
    expect(uid(adele)).toBe(adele);
    expect(resolveRecipient(store, T, a("nobody"))).toBeUndefined();
    expect(resolveRecipient(store, randomUUID(), a("adele.vance"))).toBeUndefined();
  });
  it("expands nested groups once per mailbox, even with a cycle", () => {
    const inner = group("Inner", "mailEnabledSecurity", [uid(a("alex.wilber")), uid(a("adele.vance"))]);
    const outer = group("Outer", "distribution", [inner.id, uid(a("adele.vance"))]);
    inner.members.push(outer.id);
    expect(expandGroup(store, outer.id).map((r) => r.id).sort()).toEqual([uid(a("alex.wilber")), uid(a("adele.vance"))].sort());
  });
});

describe("application access policies (GRAPH-FACTS §7)", () => {
  const APP = () => id.appId;
  type Row = { name: string; setup: () => void; mailbox: string; expect: "Granted" | "Denied"; reason: string };
  const rows: Row[] = [
    { name: "no policy → granted", setup: () => (store.accessPolicies.length = 0), mailbox: "alex.wilber", expect: "Granted", reason: "NoPolicy" },
    { name: "Restrict, mailbox in the group → granted", setup: () => undefined, mailbox: "hr-welcome", expect: "Granted", reason: "RestrictMatch" },
    { name: "Restrict, user mailbox in the group → granted", setup: () => undefined, mailbox: "adele.vance", expect: "Granted", reason: "RestrictMatch" },
    { name: "Restrict, mailbox outside → denied", setup: () => undefined, mailbox: "alex.wilber", expect: "Denied", reason: "RestrictNoMatch" },
    { name: "Deny only, matching → denied", setup: () => { store.accessPolicies.length = 0; policy(APP(), "DenyAccess", a("alex.wilber")); }, mailbox: "alex.wilber", expect: "Denied", reason: "DenyMatch" },
    { name: "Deny only, not matching → granted", setup: () => { store.accessPolicies.length = 0; policy(APP(), "DenyAccess", a("alex.wilber")); }, mailbox: "lee.gu", expect: "Granted", reason: "DenyNoMatch" },
    { name: "Deny + Restrict both match → Deny wins", setup: () => policy(APP(), "DenyAccess", a("adele.vance")), mailbox: "adele.vance", expect: "Denied", reason: "DenyMatch" },
    { name: "Deny elsewhere + Restrict match → granted", setup: () => policy(APP(), "DenyAccess", a("alex.wilber")), mailbox: "hr-welcome", expect: "Granted", reason: "RestrictMatch" },
    { name: "Deny elsewhere + Restrict no-match → denied", setup: () => policy(APP(), "DenyAccess", a("lee.gu")), mailbox: "alex.wilber", expect: "Denied", reason: "RestrictNoMatch" },
    {
      name: "nested group inside the Restrict scope → granted",
      setup: () => {
        const nested = group("Marketing Senders", "mailEnabledSecurity", [uid(a("alex.wilber"))]);
        store.groups.get(uid(a("graph-mail-senders")))!.members.push(nested.id);
      },
      mailbox: "alex.wilber", expect: "Granted", reason: "RestrictMatch",
    },
    {
      name: "Deny on a nested group beats Restrict on the outer group",
      setup: () => {
        const nested = group("Blocked", "mailEnabledSecurity", [uid(a("adele.vance"))]);
        const outer = group("Blocked Outer", "mailEnabledSecurity", [nested.id]);
        policy(APP(), "DenyAccess", outer.mail!);
      },
      mailbox: "adele.vance", expect: "Denied", reason: "DenyMatch",
    },
    { name: "two Restrict policies: either scope grants", setup: () => policy(APP(), "RestrictAccess", a("alex.wilber")), mailbox: "alex.wilber", expect: "Granted", reason: "RestrictMatch" },
    { name: "another app's policies don't apply", setup: () => { store.accessPolicies.length = 0; policy(randomUUID(), "RestrictAccess", a("graph-mail-senders")); }, mailbox: "alex.wilber", expect: "Granted", reason: "NoPolicy" },
  ];
  for (const r of rows) {
    it(r.name, () => {
      r.setup();
      const d = evaluateAccessPolicies(store, T, id.appId, uid(a(r.mailbox)));
      expect([d.accessCheckResult, d.reason]).toEqual([r.expect, r.reason]);
    });
  }
});

describe("Entra grant + policy + RBAC decision", () => {
  const granted = { accessCheckResult: "Granted" as const, reason: "NoPolicy" as const };
  const denied = { accessCheckResult: "Denied" as const, reason: "RestrictNoMatch" as const };
  const table: [string, Parameters<typeof decideAppAccess>[0], string][] = [
    ["no Entra grant, no RBAC → no permission", { entraGranted: false, policy: granted, rbac: { assigned: false, inScope: false } }, ACCESS_DENIED],
    ["Entra grant, policy grants → allowed", { entraGranted: true, policy: granted, rbac: { assigned: false, inScope: false } }, "entra"],
    ["Entra grant, policy denies → OData disabled", { entraGranted: true, policy: denied, rbac: { assigned: false, inScope: false } }, ODATA_DISABLED],
    ["RBAC only, in scope → allowed", { entraGranted: false, policy: granted, rbac: { assigned: true, inScope: true } }, "rbac"],
    // The RBAC refusal's text is unconfirmed: Graph's generic denial, not the access policy's text.
    ["RBAC only, out of scope → access denied", { entraGranted: false, policy: granted, rbac: { assigned: true, inScope: false } }, ACCESS_DENIED],
    ["RBAC out of scope + tenant-wide Entra consent → allowed (grants add up)", { entraGranted: true, policy: granted, rbac: { assigned: true, inScope: false } }, "entra"],
    ["policy denies but RBAC in scope → allowed", { entraGranted: true, policy: denied, rbac: { assigned: true, inScope: true } }, "rbac"],
    ["policy denies and RBAC out of scope → OData disabled", { entraGranted: true, policy: denied, rbac: { assigned: true, inScope: false } }, ODATA_DISABLED],
  ];
  for (const [name, input, want] of table) {
    it(name, () => {
      const d = decideAppAccess(input);
      expect(d.ok ? d.via : d.message).toBe(want);
    });
  }

  it("evaluates RBAC role assignments with custom resource scopes", () => {
    store.exoServicePrincipals.push({ tenantId: T, appId: id.appId, objectId: id.spObjectId, displayName: "portal" });
    store.managementScopes.push({ tenantId: T, name: "HR mailboxes", recipientRestrictionFilter: "Department -eq 'HR'" });
    store.roleAssignments.push({ tenantId: T, name: "portal-send", appId: id.appId, role: "Application Mail.Send", customResourceScope: "HR mailboxes" });
    expect(evaluateRbac(store, T, id.appId, uid(a("lee.gu")), "Mail.Send")).toEqual({ assigned: true, inScope: true });
    expect(evaluateRbac(store, T, id.appId, uid(a("alex.wilber")), "Mail.Send")).toEqual({ assigned: true, inScope: false });
    expect(evaluateRbac(store, T, id.appId, uid(a("alex.wilber")), "Mail.ReadWrite")).toEqual({ assigned: false, inScope: false });
    store.roleAssignments.push({ tenantId: T, name: "org", appId: id.appId, role: "Application Mail.ReadWrite" });
    const rows = testServicePrincipalAuthorization(store, T, id.appId, uid(a("alex.wilber")));
    expect(rows.map((r) => [r.roleName, r.scopeType, r.inScope])).toEqual([
      ["Application Mail.Send", "CustomRecipientScope", false],
      ["Application Mail.ReadWrite", "Organization", true],
    ]);
  });
});

describe("PolicyScopeGroupId validity", () => {
  // Each refused case with the reason the refusal must give (null: accepted).
  const NOT_ALLOWED = /is a \w+\. PolicyScopeGroupId must be a user mailbox, a mail user or a mail-enabled security group\./;
  const cases: [string, () => string, RegExp | null][] = [
    ["user mailbox", () => a("alex.wilber"), null],
    ["mail-enabled security group", () => a("graph-mail-senders"), null],
    ["shared mailbox", () => a("hr-welcome"), /is a SharedMailbox\. .*mail-enabled security group/],
    ["distribution group", () => a("all-staff"), NOT_ALLOWED],
    ["Microsoft 365 group", () => group("Project X", "microsoft365", []).mail!, NOT_ALLOWED],
    ["dynamic distribution group", () => group("Dyn", "dynamicDistribution", []).mail!, NOT_ALLOWED],
    ["room mailbox", () => { const r = store.mailboxes.get(uid(a("lee.gu")))!; r.kind = "room"; return a("lee.gu"); }, NOT_ALLOWED],
    ["unknown recipient", () => a("ghost"), /couldn't be found/],
  ];
  for (const [name, scope, refusal] of cases) {
    it(`${name} → ${refusal ? "refused" : "accepted"}`, () => {
      const r = validatePolicyScope(store, T, scope());
      expect(r).toMatchObject(refusal ? { ok: false, error: expect.stringMatching(refusal) } : { ok: true, recipient: { id: uid(scope()) } });
    });
  }
});

describe("RecipientRestrictionFilter (OPATH subset)", () => {
  const cases: [string, string, boolean][] = [
    ["Department -eq 'HR'", "lee.gu", true],
    ["department -EQ 'hr'", "alex.wilber", false],
    ["Department -ne 'HR'", "alex.wilber", true],
    ["PrimarySmtpAddress -like 'hr-*'", "hr-welcome", true],
    ["RecipientTypeDetails -eq 'SharedMailbox'", "hr-welcome", true],
    ["RecipientTypeDetails -eq 'SharedMailbox' -or Department -eq 'Marketing'", "alex.wilber", true],
    ["RecipientTypeDetails -eq 'UserMailbox' -and -not (Department -eq 'HR')", "lee.gu", false],
    ["MemberOfGroup -eq 'graph-mail-senders@contoso.sandbox'", "adele.vance", true],
    ["MemberOfGroup -eq 'CN=Graph Mail Senders,OU=contoso.sandbox,DC=EURPR01A001,DC=prod,DC=outlook,DC=com'", "hr-welcome", true],
    ["MemberOfGroup -eq 'graph-mail-senders@contoso.sandbox'", "alex.wilber", false],
    ["EmailAddresses -like 'smtp:alex@*'", "alex.wilber", true],
    ["CustomAttribute1 -eq $null", "alex.wilber", true],
    ["(Title -like '*Manager') -and (Department -eq \"HR\")", "lee.gu", true],
    ["DisplayName -eq 'O''Brien'", "lee.gu", false],
  ];
  for (const [filter, who, want] of cases) {
    it(`${filter} on ${who} → ${want}`, () => expect(matchesFilter(store, filter, rec(a(who)))).toBe(want));
  }
  it("refuses unknown properties and bad syntax", () => {
    expect(() => parseOpath("Shoesize -eq 42")).toThrow(/Shoesize/);
    expect(() => parseOpath("Department -eq")).toThrow(OpathError);
    expect(() => parseOpath("(Department -eq 'HR'")).toThrow(OpathError);
    expect(() => parseOpath("Department -contains 'HR'")).toThrow(OpathError);
    expect(() => parseOpath("Department -eq 'HR")).toThrow(OpathError);
  });
});

describe("throttling on the sandbox clock", () => {
  it("counts concurrent slots per app and mailbox", () => {
    const mb = uid(a("hr-welcome"));
    const slots = Array.from({ length: MAILBOX_CONCURRENCY }, () => acquireSlot(store, id.appId, mb));
    expect(slots.every(Boolean)).toBe(true);
    expect(acquireSlot(store, id.appId, mb)).toBeNull();
    expect(acquireSlot(store, randomUUID(), mb)).not.toBeNull();
    slots[0]!();
    slots[0]!(); // releasing twice frees one slot only
    expect(acquireSlot(store, id.appId, mb)).not.toBeNull();
    expect(acquireSlot(store, id.appId, mb)).toBeNull();
  });
  it("computes Retry-After from the 60-second window", () => {
    const mb = uid(a("hr-welcome"));
    const t0 = 1_000_000;
    for (let i = 0; i < 30; i++) recordMessage(store, mb, t0 + i * 1000);
    expect(checkMessageRate(store, mb, t0 + 30_000)).toEqual({ ok: false, retryAfterSeconds: 30 });
    expect(checkMessageRate(store, mb, t0 + 59_500)).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(checkMessageRate(store, mb, t0 + 60_001)).toEqual({ ok: true });
  });
});
