/**
 * Issue 10: the admin consent callback. Its state is single use, bound to the admin and the session
 * version they started it in, and expires; `admin_consent=True` from the query is only recorded as the
 * admin's word ("reported") and Verify — the app's own token, from the sandbox's real Entra ID stand-in —
 * is the only proof. Real PostgreSQL, real MSAL; nothing mocked.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as StateModule from "@/lib/tenants/wizard/consent-state";
import type * as RecordModule from "@/lib/tenants/wizard/record-consent";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";

let env: PortalEnv;
let cs: typeof StateModule;
let rc: typeof RecordModule;

beforeAll(async () => {
  env = await startPortalEnv("consent");
  cs = await import("@/lib/tenants/wizard/consent-state");
  rc = await import("@/lib/tenants/wizard/record-consent");
});
afterAll(async () => {
  const { closeRateLimitPool } = await import("@/lib/rate-limit/store");
  await closeRateLimitPool();
  await env?.close();
});

async function admin() {
  const { db } = await import("@/lib/db");
  return db().user.create({ data: { email: `admin-${randomBytes(4).toString("hex")}@example.com`, name: "Admin", role: "admin" }, select: { id: true, name: true, email: true, role: true, tenantId: true } });
}

async function tenant() {
  const { db } = await import("@/lib/db");
  return db().tenant.findUniqueOrThrow({ where: { id: env.tenantId }, select: { consentState: true, wizardStep: true } });
}

async function resetTenant() {
  const { db } = await import("@/lib/db");
  await db().tenant.update({ where: { id: env.tenantId }, data: { consentState: "pending", consentAt: null, wizardStep: "consent" } });
}

async function refusals(actorId: string) {
  const { db } = await import("@/lib/db");
  const rows = await db().auditEvent.findMany({ where: { actorId, action: "tenant.consent-callback-refused" }, orderBy: { at: "asc" }, select: { after: true } });
  return rows.map((r) => (r.after as { reason: string }).reason);
}

const granted = (state: string | null) => ({ state, adminConsent: "True", error: null, errorDescription: null });
const declined = (state: string | null) => ({ state, adminConsent: null, error: "access_denied", errorDescription: "AADSTS65004: User declined to consent." });

describe("admin consent callback", () => {
  it("a state counts once: granted → refused → granted by replay is refused and audited", async () => {
    await resetTenant();
    const a = await admin();
    const state = await cs.issueConsentState(env.tenantId, a.id);
    expect(await rc.recordConsent(a, granted(state))).toEqual({ tenantId: env.tenantId, reported: true });
    expect(await tenant()).toEqual({ consentState: "reported", wizardStep: "verify" });

    await expect(rc.recordConsent(a, declined(state))).rejects.toMatchObject({ code: "CONSENT_STATE_INVALID", details: { reason: "replayed" }, userMessage: expect.stringMatching(/already been used once/) });
    await expect(rc.recordConsent(a, granted(state))).rejects.toMatchObject({ details: { reason: "replayed" } });
    expect((await tenant()).consentState).toBe("reported");
    expect(await refusals(a.id)).toEqual(["replayed", "replayed"]);
  });

  it("two callbacks racing with one state: exactly one is recorded", async () => {
    await resetTenant();
    const a = await admin();
    const state = await cs.issueConsentState(env.tenantId, a.id);
    const results = await Promise.allSettled([rc.recordConsent(a, granted(state)), rc.recordConsent(a, declined(state)), rc.recordConsent(a, granted(state))]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason.details.reason)).toEqual(["replayed", "replayed"]);
  });

  it("a state from another session is refused: another admin, or the same admin after the session ended", async () => {
    await resetTenant();
    const a = await admin();
    const b = await admin();
    const state = await cs.issueConsentState(env.tenantId, a.id);
    await expect(rc.recordConsent(b, granted(state))).rejects.toMatchObject({ code: "CONSENT_STATE_INVALID", details: { reason: "other-session" }, userMessage: expect.stringMatching(/started in another session/) });
    expect((await tenant()).consentState).toBe("pending");
    expect(await refusals(b.id)).toEqual(["other-session"]);
    // Another session's attempt does not use the state up: its own admin can still finish.
    expect(await rc.recordConsent(a, granted(state))).toMatchObject({ reported: true });

    // Sign-out (or a role change) bumps the session version: a state started before no longer counts.
    await resetTenant();
    const next = await cs.issueConsentState(env.tenantId, a.id);
    const { db } = await import("@/lib/db");
    await db().user.update({ where: { id: a.id }, data: { sessionVersion: { increment: 1 } } });
    await expect(rc.recordConsent(a, granted(next))).rejects.toMatchObject({ details: { reason: "other-session" } });
    expect((await tenant()).consentState).toBe("pending");
  });

  it("a state past its 30 minutes is refused", async () => {
    await resetTenant();
    const a = await admin();
    const state = await cs.issueConsentState(env.tenantId, a.id, new Date(Date.now() - cs.CONSENT_STATE_TTL_MS - 1000));
    await expect(rc.recordConsent(a, granted(state))).rejects.toMatchObject({ details: { reason: "expired" }, userMessage: expect.stringMatching(/more than 30 minutes/) });
    expect(await tenant()).toEqual({ consentState: "pending", wizardStep: "consent" });
    expect(await refusals(a.id)).toEqual(["expired"]);
  });

  it("a forged query proves nothing: no state or a made-up one is refused; admin_consent=True is only 'reported' until Verify", async () => {
    await resetTenant();
    const a = await admin();
    for (const state of [null, "", randomBytes(32).toString("base64url"), "e30.forged", "x".repeat(5000)]) {
      await expect(rc.recordConsent(a, granted(state))).rejects.toMatchObject({ code: "CONSENT_STATE_INVALID", details: { reason: "unknown" } });
    }
    expect(await tenant()).toEqual({ consentState: "pending", wizardStep: "consent" });
    expect(await refusals(a.id)).toEqual(["unknown", "unknown", "unknown", "unknown", "unknown"]);

    // A genuine state with admin_consent=True typed in by hand: recorded as the admin's word, never "granted".
    const state = await cs.issueConsentState(env.tenantId, a.id);
    await rc.recordConsent(a, { ...granted(state), adminConsent: "TRUE" });
    expect(await tenant()).toEqual({ consentState: "reported", wizardStep: "verify" });
    // Verify asks Entra ID for the app's token: the sandbox app's Mail.Send role is the proof.
    const { verifyTenant } = await import("@/lib/tenants/wizard/verify-tenant");
    const v = await verifyTenant(a, env.tenantId);
    expect(v.roles).toContain("Mail.Send");
    expect(await tenant()).toEqual({ consentState: "granted", wizardStep: "restrict" });
  });

  it("the callback's per-address limit refuses the 21st callback in 15 minutes", async () => {
    const { hit } = await import("@/lib/rate-limit/hit");
    const ip = `198.51.100.${Math.floor(Math.random() * 250)}`;
    const results = [];
    for (let i = 0; i < 21; i++) results.push(await hit([{ limit: "consentCallbackIp", key: ip }]));
    expect(results.slice(0, 20).every((r) => r.ok)).toBe(true);
    expect(results[20]).toMatchObject({ ok: false, firstRefusal: true });
  });
});
