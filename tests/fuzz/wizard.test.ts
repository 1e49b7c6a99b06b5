/**
 * Issue 10, bad input: the setup wizard's forms — Tenant (new and existing), Register (client id, planned
 * credential), Credential (client secret, certificate), Restrict, and the step buttons (consent elsewhere,
 * verify, prove, run in sandbox) — as the real server actions with real FormData, inside Next's request
 * scope with a real next-auth session cookie of an admin, against the in-process sandbox tenant. 1,000+
 * generated forms per form: wrong and hostile ids, GUID look-alikes, CRLF and NUL, confusable domains,
 * huge and empty fields, repeated fields, files where text belongs. A refusal names a field of the form
 * (or is a 4xx code such as an unknown tenant) and writes nothing but a refused-credential audit event;
 * an acceptance writes exactly its rows.
 */
import { inRequestScope, portalRequest, sessionCookie } from "../support/next-scope";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
import { delta, expectFieldRefusal, fc, formData, formValue, holds, hostileAddress, hostileString, rowCounts, show, usv, type ActionStateLike, type FormValue } from "./support";

let penv: PortalEnv;
let cookie: string;
/** A tenant each property may change freely, on the sandbox's cloud (so nothing reaches the internet). */
const tenants: Record<"step" | "register" | "secret" | "restrict" | "buttons", string> = { step: "", register: "", secret: "", restrict: "", buttons: "" };

beforeAll(async () => {
  process.env.PORTAL_URL = "http://localhost:3000";
  penv = await startPortalEnv("fuzz-wizard");
  const file = path.join(mkdtempSync(path.join(tmpdir(), "gmp-fuzz-wizard-")), "endpoints.json");
  writeFileSync(file, JSON.stringify(penv.sb.endpoints));
  process.env.PORTAL_SANDBOX_ENDPOINTS_FILE = file;
  const { db } = await import("@/lib/db");
  const admin = await db().user.create({ data: { email: "ada.admin@example.com", name: "Ada Admin", role: "admin" } });
  cookie = await sessionCookie(admin);
  const e = penv.sb.endpoints;
  // The secret step's tenant is the sandbox's own (its app, its directory): a token request tells a right secret from a wrong one.
  tenants.secret = penv.tenantId;
  for (const k of ["step", "register", "restrict", "buttons"] as const) {
    // The step buttons' tenant is on the global cloud without an app: each button refuses before any network call.
    const sandbox = k !== "buttons" ? { cloud: "sandbox" as const, loginUrl: e.loginUrl, graphUrl: e.graphUrl } : { cloud: "global" as const };
    tenants[k] = (
      await db().tenant.create({
        data: { name: `Wizard ${k}`, ...sandbox, directoryId: `${k}.contoso.example`, source: "wizard", wizardStep: "register" },
      })
    ).id;
  }
});

afterAll(async () => {
  await penv?.close();
});

type Fields = Record<string, FormValue | undefined>;
const mostly = <T,>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<FormValue | undefined>, goodWeight = 4) => fc.oneof({ weight: goodWeight, arbitrary: good }, { weight: 1, arbitrary: bad });
const hostileId = fc.oneof(formValue(), fc.constantFrom("cm0000000000000000000000", "x".repeat(65), "../setup", "1 OR 1=1"));
const guidLike = fc.oneof(
  fc.uuid(),
  fc.uuid().map((u) => u.toUpperCase()),
  fc.uuid().map((u) => `{${u}}`),
  fc.uuid().map((u) => u.replace(/-/g, "")),
  fc.uuid().map((u) => `${u}\r\n`),
  fc.uuid().map((u) => u.replace(/a/g, "а")),
  fc.uuid().map((u) => `${u}\u0000`),
);

/** The redirect a successful step answers with (next/navigation's redirect() throws it). */
const isRedirect = (err: unknown) => typeof (err as { digest?: unknown })?.digest === "string" && (err as { digest: string }).digest.startsWith("NEXT_REDIRECT");

async function call(act: (prev: never, fd: FormData) => Promise<unknown>, fields: Fields): Promise<ActionStateLike> {
  const req = portalRequest("/setup", { cookie });
  try {
    return (await inRequestScope(req, () => act({ status: "idle" } as never, formData(fields)))) as ActionStateLike;
  } catch (err) {
    if (isRedirect(err)) return { status: "ok", message: "redirected" };
    throw err;
  }
}

/** Runs one form's property: refusals name a field and save nothing (but `refusalAudit`), acceptances are checked by `accepted`. */
async function fuzzForm(name: string, arb: fc.Arbitrary<Fields>, act: (prev: never, fd: FormData) => Promise<unknown>, accepted: (fields: Fields, d: Record<string, number>, ctx: string) => Promise<void>, opts: { refusalAudit?: string; minAccepted?: number } = {}) {
  const { db } = await import("@/lib/db");
  let ok = 0;
  await holds(name, arb, async (fields) => {
    const ctx = `${name} ${show(fields)}`;
    const before = await rowCounts();
    const state = await call(act, fields);
    const d = delta(before, await rowCounts());
    if (state.status === "ok") {
      ok++;
      await accepted(fields, d, ctx);
      return;
    }
    expectFieldRefusal(state, Object.keys(fields), ctx);
    if (opts.refusalAudit && d.AuditEvent === 1 && Object.keys(d).length === 1) {
      expect((await db().auditEvent.findFirstOrThrow({ orderBy: { at: "desc" } })).action, ctx).toBe(opts.refusalAudit);
    } else {
      expect(d, ctx).toEqual({});
    }
  });
  expect(ok, `${name}: accepted inputs`).toBeGreaterThanOrEqual(opts.minAccepted ?? 20);
}

const checkbox = fc.option(fc.oneof(fc.constantFrom("on", "true", "false"), formValue()), { nil: undefined });
const tenantStep = {
  name: mostly(fc.string({ minLength: 1, maxLength: 60 }).filter((s) => s.trim().length > 0), fc.oneof(formValue(), fc.constantFrom("a\r\nb", "x".repeat(121), "\u2028", " "))),
  directoryId: mostly(fc.oneof(fc.uuid(), fc.domain()), fc.oneof(guidLike, formValue(), hostileAddress, fc.constantFrom("contoso", "https://contoso.com", "contoso.com:443", "contoso.com/x", "*.contoso.com", "xn--80ak6aa92e.com"))),
  cloud: mostly(fc.constantFrom("global", "usgov", "usgovdod", "china", "sandbox"), formValue()),
  usage: mostly(fc.constantFrom("application", "delegated", "both"), formValue()),
  largeAttachments: checkbox,
};

describe("the wizard's Tenant step with 1,000 generated forms each", () => {
  it("new tenant: creates exactly the tenant and its audit event, or refuses naming the field", async () => {
    const { createTenantAction } = await import("@/app/(portal)/setup/new/actions");
    const { db } = await import("@/lib/db");
    await fuzzForm("tenant-new", fc.record(tenantStep), createTenantAction, async (f, d, ctx) => {
      expect(d, ctx).toEqual({ Tenant: 1, AuditEvent: 1 });
      const t = await db().tenant.findFirstOrThrow({ orderBy: { createdAt: "desc" } });
      expect([t.name, t.directoryId, t.cloud], ctx).toEqual([usv(String(f.name)).trim(), String(f.directoryId).trim(), f.cloud]);
    });
  }, 400_000);

  it("existing tenant: changes exactly the tenant and writes its audit event, or refuses naming the field", async () => {
    const { updateTenantAction } = await import("@/app/(portal)/setup/[tenantId]/(steps)/tenant/actions");
    const { db } = await import("@/lib/db");
    await fuzzForm("tenant-update", fc.record({ tenantId: mostly(fc.constant(tenants.step), hostileId), ...tenantStep }), updateTenantAction, async (f, d, ctx) => {
      expect(d, ctx).toEqual({ AuditEvent: 1 });
      const t = await db().tenant.findUniqueOrThrow({ where: { id: tenants.step } });
      expect([t.name, t.directoryId, t.cloud], ctx).toEqual([usv(String(f.name)).trim(), String(f.directoryId).trim(), f.cloud]);
    });
  }, 400_000);
});

describe("the wizard's Register and Credential steps with 1,000 generated forms each", () => {
  it("client id: saves the GUID (lower-cased) and audits a change, or refuses naming the field", async () => {
    const { saveClientIdAction } = await import("@/app/(portal)/setup/[tenantId]/(steps)/register/actions");
    const { db } = await import("@/lib/db");
    const form = fc.record({ tenantId: mostly(fc.constant(tenants.register), hostileId), clientId: mostly(fc.uuid(), fc.oneof(guidLike, formValue(), fc.constantFrom("00000000-0000-0000-0000-000000000000x", "not-a-guid"))) });
    await fuzzForm("client-id", form, saveClientIdAction, async (f, d, ctx) => {
      expect(Object.keys(d).every((k) => k === "AuditEvent") && (d.AuditEvent ?? 0) <= 1, ctx).toBe(true);
      expect((await db().tenant.findUniqueOrThrow({ where: { id: tenants.register } })).clientId, ctx).toBe(String(f.clientId).trim().toLowerCase());
    });
  }, 400_000);

  it("client secret: a refused secret is a field error on `secret` (with its audit event); the right one is stored encrypted", async () => {
    const { saveSecretAction } = await import("@/app/(portal)/setup/[tenantId]/(steps)/credential/actions");
    const { db } = await import("@/lib/db");
    const { decryptSecret } = await import("@/lib/crypto");
    const { CREDENTIAL_PURPOSE } = await import("@/lib/graph/tenant-access");
    const real = penv.sb.endpoints.app.clientSecret;
    const future = fc.date({ min: new Date(Date.now() + 3 * 86400_000), max: new Date("2099-12-31"), noInvalidDate: true }).map((x) => x.toISOString().slice(0, 10));
    const form = fc.record({
      tenantId: mostly(fc.constant(tenants.secret), hostileId),
      secret: fc.oneof({ weight: 2, arbitrary: fc.constant(real) }, { weight: 2, arbitrary: fc.string({ minLength: 1, maxLength: 40 }) }, { weight: 2, arbitrary: formValue() }, { weight: 1, arbitrary: guidLike }, { weight: 1, arbitrary: fc.constantFrom(`${real}\r\n`, ` ${real} `, "x".repeat(1025), `${real}\u0000`) }),
      expires: mostly(future, fc.oneof(formValue(), fc.constantFrom("2020-01-01", "2099-02-30", "2099-13-01", "01/01/2099", "2099-1-1", "209901-01", "9999-99-99"))),
    });
    await fuzzForm("secret", form, saveSecretAction, async (f, d, ctx) => {
      expect(d, ctx).toEqual({ AuditEvent: 1 });
      const t = await db().tenant.findUniqueOrThrow({ where: { id: tenants.secret }, select: { credentialKind: true, credentialCipher: true, credentialExpires: true } });
      expect(t.credentialKind, ctx).toBe("secret");
      expect(decryptSecret(t.credentialCipher!, { purpose: CREDENTIAL_PURPOSE, rowId: tenants.secret }), ctx).toBe(f.secret);
      expect(t.credentialExpires?.toISOString().slice(0, 10), ctx).toBe(f.expires);
    }, { refusalAudit: "tenant.credential-refused", minAccepted: 20 });
  }, 400_000);
});

describe("the wizard's Restrict step with 1,000 generated forms", () => {
  it("saves exactly the listed mailboxes and its audit event, or refuses naming the field", async () => {
    const { saveRestrictionAction } = await import("@/app/(portal)/setup/[tenantId]/(steps)/restrict/actions");
    const { db } = await import("@/lib/db");
    const list = fc.oneof(
      { weight: 4, arbitrary: fc.array(fc.emailAddress(), { minLength: 1, maxLength: 4 }).chain((a) => fc.constantFrom(", ", "\n", "; ", " ").map((sep) => a.join(sep))) },
      { weight: 1, arbitrary: fc.array(hostileAddress, { minLength: 1, maxLength: 4 }).map((a) => a.join("\n")) },
      { weight: 1, arbitrary: fc.constant(Array.from({ length: 201 }, (_, i) => `m${i}@contoso.example`).join("\n")) },
      { weight: 1, arbitrary: formValue() },
    );
    const form = fc.record({
      tenantId: mostly(fc.constant(tenants.restrict), hostileId),
      mailboxes: list,
      groupAddress: mostly(fc.emailAddress(), fc.oneof(hostileAddress, formValue())),
      createGroup: checkbox,
      outsideMailbox: fc.option(mostly(fc.emailAddress(), fc.oneof(hostileAddress, formValue()), 2), { nil: undefined }),
    });
    await fuzzForm("restrict", form, saveRestrictionAction, async (f, d, ctx) => {
      const listed = [...new Set(String(f.mailboxes).split(/[\s,;]+/).map((x) => x.trim().toLowerCase()).filter(Boolean))];
      const rows = await db().senderMailbox.findMany({ where: { tenantId: tenants.restrict, allowed: true }, select: { address: true } });
      expect(rows.map((r) => r.address).sort(), ctx).toEqual(listed.sort());
      expect(Object.keys(d).every((k) => k === "AuditEvent" || k === "SenderMailbox"), ctx).toBe(true);
      expect(d.AuditEvent, ctx).toBe(1);
      expect(d.SenderMailbox ?? 0, ctx).toBeLessThanOrEqual(listed.length);
    });
  }, 400_000);
});

describe("the wizard's step buttons with 1,000 generated forms", () => {
  it("plan credential, certificate, consent elsewhere, verify, prove and run-in-sandbox refuse bad ids and values naming the field", async () => {
    const plan = await import("@/app/(portal)/setup/[tenantId]/(steps)/register/actions");
    const cred = await import("@/app/(portal)/setup/[tenantId]/(steps)/credential/actions");
    const { consentElsewhereAction } = await import("@/app/(portal)/setup/[tenantId]/(steps)/consent/actions");
    const { verifyAction } = await import("@/app/(portal)/setup/[tenantId]/(steps)/verify/actions");
    const { proveAction } = await import("@/app/(portal)/setup/[tenantId]/(steps)/prove/actions");
    const { runScriptAction } = await import("@/app/(portal)/setup/[tenantId]/actions");
    const acts = { plan: plan.planCredentialAction, certificate: cred.generateCertificateAction, consent: consentElsewhereAction, verify: verifyAction, prove: proveAction, run: runScriptAction };
    // The buttons' tenant has no app yet: a certificate, verify and prove refuse with a 4xx code before any key or token work.
    const tenantId = mostly(fc.constant(tenants.buttons), hostileId, 1);
    const form = fc.oneof(
      fc.record({ which: fc.constant("plan" as const), tenantId, credential: mostly(fc.constantFrom("secret", "certificate"), formValue()) }),
      fc.record({ which: fc.constant("certificate" as const), tenantId, years: mostly(fc.constantFrom("1", "2"), fc.oneof(formValue(), fc.constantFrom("0", "3", "1.5", "-1", "1e1", ""))) }),
      fc.record({ which: fc.constant("consent" as const), tenantId }),
      fc.record({ which: fc.constant("verify" as const), tenantId }),
      fc.record({ which: fc.constant("prove" as const), tenantId, again: fc.option(hostileString, { nil: undefined }) }),
      fc.record({ which: fc.constant("run" as const), tenantId, kind: mostly(fc.constantFrom("register-ps", "certificate", "policy", "rbac", "register-az"), formValue()) }),
    ).map(({ which, ...rest }) => ({ kind: which, fields: rest as Fields }));
    const { db } = await import("@/lib/db");
    await holds("step-buttons", form, async ({ kind, fields }) => {
      const ctx = `${kind} ${show(fields)}`;
      const before = await rowCounts();
      const state = await call(acts[kind], fields);
      const d = delta(before, await rowCounts());
      if (state.status === "ok") {
        // Only the two that need no app can succeed here.
        expect(["plan", "consent"], ctx).toContain(kind);
        if (kind === "plan") expect(d, ctx).toEqual({});
        else expect(d, ctx).toEqual({ AuditEvent: 1 });
        if (kind === "consent") expect((await db().tenant.findUniqueOrThrow({ where: { id: tenants.buttons } })).wizardStep, ctx).toBe("verify");
        return;
      }
      expectFieldRefusal(state, Object.keys(fields), ctx);
      expect(d, ctx).toEqual({});
    });
  }, 400_000);
});
