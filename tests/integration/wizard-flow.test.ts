import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestSandbox } from "m365-sandbox/helpers";
import { startWizardEnv } from "../support/wizard-env";
import { expectSealed } from "../support/sealed";

// The wizard's operations (lib/tenants/wizard) on real PostgreSQL against the sandbox tenant, with the
// real MSAL and Graph SDK: scripts run in the sandbox, certificate, verification, restriction and proof.
let sb: TestSandbox;
const domain = `flow${randomBytes(3).toString("hex")}.sandbox`;
const actor = { id: "", name: "Ada", email: "ada@example.com", role: "admin" as const, tenantId: null };

let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ sb, close } = await startWizardEnv({
    name: "flow",
    domain,
    actor,
    users: [
      { tenant: domain, userPrincipalName: `hr@${domain}`, displayName: "HR", mailbox: "shared" },
      { tenant: domain, userPrincipalName: `alex@${domain}`, displayName: "Alex" },
    ],
  }));
});
afterAll(async () => {
  await close?.();
});

describe("the setup wizard's operations", () => {
  let tenantId = "";

  it("creates a Sandbox tenant from configuration, refuses a duplicate, and a non-admin", async () => {
    const { saveTenantStep } = await import("@/lib/tenants/wizard/save-tenant-step");
    const input = { name: "Flow", directoryId: domain, cloud: "sandbox" as const, usage: "application" as const, largeAttachments: false, bulkDirectory: false };
    tenantId = await saveTenantStep(actor, input);
    await expect(saveTenantStep(actor, input)).rejects.toMatchObject({ code: "TENANT_EXISTS", fields: { directoryId: expect.any(String) } });
    await expect(saveTenantStep({ ...actor, role: "sender" }, input)).rejects.toMatchObject({ code: "FORBIDDEN" });
    const { loadWizardTenant } = await import("@/lib/tenants/wizard/load-wizard-tenant");
    expect(await loadWizardTenant(actor, tenantId)).toMatchObject({ loginUrl: sb.endpoints.loginUrl, graphUrl: sb.endpoints.graphUrl, wizardStep: "register" });
  });

  it("registers the app by running the generated script in the sandbox, and fills the client id", async () => {
    const { runInSandbox } = await import("@/lib/tenants/wizard/run-in-sandbox");
    const run = await runInSandbox(actor, tenantId, "register-ps");
    expect(run).toMatchObject({ ok: true, clientId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const { loadWizardTenant } = await import("@/lib/tenants/wizard/load-wizard-tenant");
    expect(await loadWizardTenant(actor, tenantId)).toMatchObject({ clientId: run.clientId, wizardStep: "credential" });
  });

  it("a certificate: generated, uploaded by script, verified with a token carrying Mail.Send", async () => {
    const { generateTenantCertificate } = await import("@/lib/tenants/wizard/generate-certificate");
    const { runInSandbox } = await import("@/lib/tenants/wizard/run-in-sandbox");
    const { verifyTenant } = await import("@/lib/tenants/wizard/verify-tenant");
    // Before the upload Entra ID does not know the key: explained in words.
    await generateTenantCertificate(actor, tenantId, 1);
    await expect(verifyTenant(actor, tenantId)).rejects.toMatchObject({ code: "AADSTS700027", userMessage: expect.stringMatching(/^The certificate does not match/) });
    expect((await runInSandbox(actor, tenantId, "certificate")).ok).toBe(true);
    const v = await verifyTenant(actor, tenantId);
    expect(v).toMatchObject({ roles: ["Mail.Send"], missingMailSend: false, unrestricted: true });
    const { db } = await import("@/lib/db");
    const row = await db().tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { credentialCipher: true, certificatePem: true } });
    expect(row.credentialCipher).toMatch(/^v2\./);
    const { decryptSecret } = await import("@/lib/crypto");
    const binding = { purpose: "tenant-credential", rowId: tenantId };
    const privateKey = decryptSecret(row.credentialCipher!, binding);
    expect(privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expectSealed(row.credentialCipher!, privateKey, (key) => decryptSecret(row.credentialCipher!, binding, { current: key }));
  });

  it("restricts by the access policy script and proves it: 202 allowed, 403 outside, both in the send log", async () => {
    const { saveRestriction } = await import("@/lib/tenants/wizard/save-restriction");
    const { runInSandbox } = await import("@/lib/tenants/wizard/run-in-sandbox");
    const { proveRestriction } = await import("@/lib/tenants/wizard/prove-restriction");
    await saveRestriction(actor, tenantId, { method: "policy", mailboxes: [`hr@${domain}`], groupAddress: `senders@${domain}`, createGroup: true, outsideMailbox: `alex@${domain}` });
    // Before the policy exists the app can send as anyone: the proof says so.
    const before = await proveRestriction(actor, tenantId);
    expect(before, JSON.stringify(before)).toMatchObject({ ok: false, outside: { httpStatus: 202 } });
    expect((await runInSandbox(actor, tenantId, "policy")).ok).toBe(true);
    const proof = await proveRestriction(actor, tenantId);
    expect(proof, JSON.stringify(proof)).toMatchObject({ ok: true, allowed: { httpStatus: 202 }, outside: { httpStatus: 403, code: "ErrorAccessDenied", message: expect.stringMatching(/^Access to OData is disabled/) } });
    const { db } = await import("@/lib/db");
    const sends = await db().send.findMany({ where: { tenantId }, include: { attempts: true }, orderBy: { createdAt: "asc" } });
    expect(sends.map((s) => [s.mode, s.status, s.attempts[0]?.httpStatus])).toEqual([
      ["app", "accepted", 202], ["app", "accepted", 202], ["app", "accepted", 202], ["app", "failed", 403],
    ]);
    expect(sends[3]!.attempts[0]!.requestId).toMatch(/\S+/);
    // Restriction tests are test sends: shown with the wizard, left out of History's lists and counts.
    expect(sends.every((s) => s.test)).toBe(true);
    const { findSends } = await import("@/lib/history/find-sends");
    expect((await findSends(actor, {})).rows).toHaveLength(0);
    const t = await db().tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { wizardStep: true, senders: { select: { address: true, policyStatus: true } } } });
    expect(t).toMatchObject({ wizardStep: "done", senders: [{ address: `hr@${domain}`, policyStatus: "allowed" }] });
    const audit = await db().auditEvent.findMany({ where: { tenantId }, select: { action: true, after: true } });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["tenant.created", "tenant.app-registered", "tenant.credential-set", "tenant.verified", "tenant.restriction-saved", "tenant.restriction-proved", "tenant.sandbox-script-run"]));
    expect(JSON.stringify(audit)).not.toMatch(/PRIVATE KEY|SecretText/);
  });

  it("a wrong client secret is refused in words and not stored; the consent callback ignores a forged state", async () => {
    const { saveSecret } = await import("@/lib/tenants/wizard/save-secret");
    await expect(saveSecret(actor, tenantId, "wrong-secret", "2030-01-01")).rejects.toMatchObject({ code: "AADSTS7000215", fields: { secret: expect.stringMatching(/^The client secret is wrong/) } });
    const { db } = await import("@/lib/db");
    expect((await db().tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { credentialKind: true } })).credentialKind).toBe("certificate");
    // The consent callback's own tests (replay, other session, expiry, forged query): consent-callback.test.ts.
    const { recordConsent } = await import("@/lib/tenants/wizard/record-consent");
    await expect(recordConsent(actor, { state: "e30.forged", adminConsent: "True", error: null, errorDescription: null })).rejects.toMatchObject({ code: "CONSENT_STATE_INVALID" });
  });
});
