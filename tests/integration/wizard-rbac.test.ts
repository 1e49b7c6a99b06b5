import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestSandbox } from "m365-sandbox/helpers";
import { startWizardEnv } from "../support/wizard-env";

// Issue 11 item 4 / issue 15: the recommended restriction (RBAC for Applications) ends proved. The wizard's
// operations on real PostgreSQL against the sandbox, with the real MSAL: the RBAC script (service
// principal OBJECT id for -App, "Application Mail.ReadWrite" for large attachments) and the generated
// removal of the tenant-wide grant both run in the sandbox's PowerShell runner; Verify then sees a token
// without any `roles` claim and calls it success; Prove takes the 403 ErrorAccessDenied whatever its text.
let sb: TestSandbox;
const domain = `rbac${randomBytes(3).toString("hex")}.sandbox`;
const actor = { id: "", name: "Ada", email: "ada@example.com", role: "admin" as const, tenantId: null };
let tenantId = "";

let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ sb, close } = await startWizardEnv({
    name: "rbac",
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

/** A draft in the mailbox with the app's current token: the upload-session path's first call (needs Mail.ReadWrite). */
async function createDraft(mailbox: string): Promise<{ status: number; code?: string }> {
  const { loadTenantAccess } = await import("@/lib/graph/tenant-access");
  const { appToken } = await import("@/lib/graph/tokens");
  const { accessToken } = await appToken(await loadTenantAccess(tenantId), { skipCache: true });
  const res = await fetch(`${sb.endpoints.graphUrl}/v1.0/users/${encodeURIComponent(mailbox)}/messages`, {
    method: "POST",
    headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
    body: JSON.stringify({ subject: "draft", body: { contentType: "Text", content: "x" }, toRecipients: [{ emailAddress: { address: mailbox } }] }),
  });
  const body = (await res.json()) as { error?: { code: string } };
  return { status: res.status, ...(body.error ? { code: body.error.code } : {}) };
}

describe("the RBAC for Applications path, to a proved restriction", () => {
  it("registers the app (large attachments on) with a client secret, and Verify sees Mail.Send and Mail.ReadWrite tenant-wide", async () => {
    const { saveTenantStep } = await import("@/lib/tenants/wizard/save-tenant-step");
    const { setPlannedCredential } = await import("@/lib/tenants/wizard/set-planned-credential");
    const { runInSandbox } = await import("@/lib/tenants/wizard/run-in-sandbox");
    const { verifyTenant } = await import("@/lib/tenants/wizard/verify-tenant");
    tenantId = await saveTenantStep(actor, { name: "RBAC", directoryId: domain, cloud: "sandbox", usage: "application", largeAttachments: true, bulkDirectory: false });
    await setPlannedCredential(actor, tenantId, "secret");
    expect(await runInSandbox(actor, tenantId, "register-ps")).toMatchObject({ ok: true, secretSaved: true });
    const v = await verifyTenant(actor, tenantId);
    expect(v).toMatchObject({ roles: ["Mail.Send", "Mail.ReadWrite"], path: null, scopedByRbac: false, missingMailSend: false, unrestricted: true });
  });

  it("the RBAC script assigns both roles to the service principal's object id; alone it restricts nothing (grants add up)", async () => {
    const { saveRestriction } = await import("@/lib/tenants/wizard/save-restriction");
    const { loadWizardTenant } = await import("@/lib/tenants/wizard/load-wizard-tenant");
    const { tenantScript } = await import("@/lib/tenants/wizard/tenant-scripts");
    const { runInSandbox } = await import("@/lib/tenants/wizard/run-in-sandbox");
    const { proveRestriction } = await import("@/lib/tenants/wizard/prove-restriction");
    // RBAC is the default method and needs no group.
    await saveRestriction(actor, tenantId, { method: "rbac", mailboxes: [`hr@${domain}`], createGroup: false, outsideMailbox: `alex@${domain}` });
    const t = await loadWizardTenant(actor, tenantId);
    const spObjectId = t.data.verify!.servicePrincipalObjectId!;
    expect(spObjectId).toMatch(/^[0-9a-f-]{36}$/);
    expect(spObjectId).not.toBe(t.clientId);
    const script = tenantScript(t, "rbac").text;
    // Re-runnable: each assignment has a fixed name, so a second run finds it instead of adding another.
    expect(script).toMatch(new RegExp(`New-ManagementRoleAssignment -Name '[^']+ - Application Mail\\.Send' -App '${spObjectId}' -Role 'Application Mail\\.Send'`));
    expect(script).toMatch(new RegExp(`New-ManagementRoleAssignment -Name '[^']+ - Application Mail\\.ReadWrite' -App '${spObjectId}' -Role 'Application Mail\\.ReadWrite'`));
    const run = await runInSandbox(actor, tenantId, "rbac");
    expect(run.ok, run.transcript).toBe(true);
    expect(run.transcript).toMatch(/RoleName\s+: Application Mail\.ReadWrite/);
    // The tenant-wide grant is still there: the outside mailbox sends (202), shown as not enforced.
    const before = await proveRestriction(actor, tenantId);
    expect(before, JSON.stringify(before)).toMatchObject({ ok: false, allowed: { httpStatus: 202 }, outside: { httpStatus: 202 } });
  });

  it("the generated removal of the tenant-wide grant runs in the sandbox, twice without harm; the next token has no roles claim", async () => {
    const { runInSandbox } = await import("@/lib/tenants/wizard/run-in-sandbox");
    const { verifyTenant } = await import("@/lib/tenants/wizard/verify-tenant");
    const first = await runInSandbox(actor, tenantId, "remove-grant");
    expect(first.ok, first.transcript).toBe(true);
    expect(first.transcript).toContain("Removed: Mail.Send (application), tenant-wide.");
    expect(first.transcript).toContain("Removed: Mail.ReadWrite (application), tenant-wide.");
    const again = await runInSandbox(actor, tenantId, "remove-grant");
    expect(again.ok, again.transcript).toBe(true);
    expect(again.transcript).toContain("Mail.Send (application) is not granted tenant-wide: nothing to remove.");
    const v = await verifyTenant(actor, tenantId);
    // On the RBAC path no roles is success ("scoped by Exchange RBAC"), not "missing Mail.Send".
    expect(v).toMatchObject({ roles: [], path: "rbac", scopedByRbac: true, missingMailSend: false, unrestricted: false, missingReadWrite: false });
    expect(v.claims).not.toHaveProperty("roles");
    const { db } = await import("@/lib/db");
    expect((await db().tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { wizardStep: true } })).wizardStep).toBe("prove");
  });

  it("Prove: 202 for the allowed mailbox, the outside one refused with 403 ErrorAccessDenied and Microsoft's message as it came", async () => {
    const { proveRestriction } = await import("@/lib/tenants/wizard/prove-restriction");
    const proof = await proveRestriction(actor, tenantId);
    // Not the access policy's "Access to OData is disabled": the RBAC refusal's text is unpublished.
    expect(proof, JSON.stringify(proof)).toMatchObject({
      ok: true, allowed: { httpStatus: 202 }, outside: { httpStatus: 403, code: "ErrorAccessDenied", message: "Access is denied. Check credentials and try again." },
    });
    const { db } = await import("@/lib/db");
    expect((await db().tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { wizardStep: true } })).wizardStep).toBe("done");
  });

  it("large attachments keep working through RBAC: a draft in the allowed mailbox (Application Mail.ReadWrite), none outside", async () => {
    expect(await createDraft(`hr@${domain}`)).toEqual({ status: 201 });
    expect(await createDraft(`alex@${domain}`)).toEqual({ status: 403, code: "ErrorAccessDenied" });
  });

  it("on the access-policy path Mail.Send in roles stays required", async () => {
    const { saveRestriction } = await import("@/lib/tenants/wizard/save-restriction");
    const { verifyTenant } = await import("@/lib/tenants/wizard/verify-tenant");
    await saveRestriction(actor, tenantId, { method: "policy", mailboxes: [`hr@${domain}`], groupAddress: `senders@${domain}`, createGroup: true, outsideMailbox: `alex@${domain}` });
    expect(await verifyTenant(actor, tenantId)).toMatchObject({ roles: [], path: "policy", scopedByRbac: false, missingMailSend: true });
  });
});
