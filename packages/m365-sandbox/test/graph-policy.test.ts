/**
 * Access policies and RBAC for Applications enforced on real app-only sends through the Graph SDK
 * (the full decision table runs against the evaluation functions in exchange-policy.test.ts).
 */
import { randomUUID } from "node:crypto";
import { Client, type GraphError, RetryHandlerOptions } from "@microsoft/microsoft-graph-client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestSandbox, type TestSandbox } from "./support";

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => {
  await sb?.close();
});
beforeEach(async () => {
  await sb.control("/reset");
});

const a = (local: string) => `${local}@${sb.endpoints.tenant.domain}`;
const T = () => sb.endpoints.tenant.id;
const APP = () => sb.endpoints.app.clientId;
const userId = (addr: string) => [...sb.ctx.store.users.values()].find((u) => u.userPrincipalName === addr)!.id;

/** Sends as `from` with a fresh token (grants are read when the token is issued); "ok" or the error code+message. */
async function trySend(from: string): Promise<string> {
  const token = await sb.appTokenFor();
  const client = Client.initWithMiddleware({ baseUrl: sb.endpoints.graphUrl, customHosts: new Set(["localhost"]), authProvider: { getAccessToken: async () => token } });
  try {
    await client.api(`/users/${from}/sendMail`).middlewareOptions([new RetryHandlerOptions(0, 0)]).post({
      message: { subject: "policy", body: { contentType: "Text", content: "x" }, toRecipients: [{ emailAddress: { address: a("lee.gu") } }] },
    });
    return "ok";
  } catch (e) {
    const g = e as GraphError;
    return `${g.statusCode} ${g.code}: ${g.message.startsWith("Access to OData is disabled") ? "OData" : g.message}`;
  }
}

const DENIED = "403 ErrorAccessDenied: OData";
const NO_PERMISSION = "403 ErrorAccessDenied: Access is denied. Check credentials and try again.";

function policy(right: "RestrictAccess" | "DenyAccess", scopeAddr: string, scopeId = userId(scopeAddr)) {
  sb.ctx.store.accessPolicies.push({ identity: `${T()}\\${APP()}:${scopeId}`, tenantId: T(), appId: APP(), accessRight: right, scopeId, scopeName: scopeAddr });
}

function rbac(filter: string | undefined) {
  const s = sb.ctx.store;
  s.exoServicePrincipals.push({ tenantId: T(), appId: APP(), objectId: sb.ctx.store.servicePrincipals.values().next().value!.id, displayName: "portal" });
  if (filter) s.managementScopes.push({ tenantId: T(), name: "Welcome senders", recipientRestrictionFilter: filter });
  s.roleAssignments.push({ tenantId: T(), name: "portal-mail-send", appId: APP(), role: "Application Mail.Send", ...(filter ? { customResourceScope: "Welcome senders" } : {}) });
}

const removeTenantWideMailSend = () => (sb.ctx.store.appRoleGrants = sb.ctx.store.appRoleGrants.filter((g) => g.value !== "Mail.Send"));

describe("application access policies on real sends", () => {
  it("demo tenant: the shared and allowed mailboxes may send, outsidePolicy may not", async () => {
    expect(await trySend(sb.endpoints.mailboxes.shared)).toBe("ok");
    expect(await trySend(sb.endpoints.mailboxes.allowed)).toBe("ok");
    expect(await trySend(sb.endpoints.mailboxes.outsidePolicy)).toBe(DENIED);
  });
  it("no policy: every mailbox", async () => {
    sb.ctx.store.accessPolicies.length = 0;
    expect(await trySend(sb.endpoints.mailboxes.outsidePolicy)).toBe("ok");
  });
  it("DenyAccess beats a matching RestrictAccess", async () => {
    policy("DenyAccess", sb.endpoints.mailboxes.allowed);
    expect(await trySend(sb.endpoints.mailboxes.allowed)).toBe(DENIED);
    expect(await trySend(sb.endpoints.mailboxes.shared)).toBe("ok");
  });
  it("a group nested in the scope group grants its members", async () => {
    const nested = { id: randomUUID(), tenantId: T(), displayName: "Marketing Senders", mail: a("marketing-senders"), kind: "mailEnabledSecurity" as const, members: [userId(sb.endpoints.mailboxes.outsidePolicy)] };
    sb.ctx.store.groups.set(nested.id, nested);
    [...sb.ctx.store.groups.values()].find((g) => g.mail === sb.endpoints.group)!.members.push(nested.id);
    expect(await trySend(sb.endpoints.mailboxes.outsidePolicy)).toBe("ok");
  });
});

describe("RBAC for Applications on real sends", () => {
  it("scope in and out, once the tenant-wide Mail.Send consent is removed", async () => {
    sb.ctx.store.accessPolicies.length = 0;
    removeTenantWideMailSend();
    expect(await trySend(sb.endpoints.mailboxes.shared)).toBe(NO_PERMISSION);
    rbac("Department -eq 'HR'");
    expect(await trySend(sb.endpoints.mailboxes.shared)).toBe("ok"); // HR Welcome, Department HR
    expect(await trySend(a("lee.gu"))).toBe("ok");
    // Outside the RBAC scope with no Entra grant left: 403 ErrorAccessDenied, Graph's generic text (the RBAC
    // refusal's own text is unconfirmed), not the access policy's "Access to OData is disabled".
    expect(await trySend(sb.endpoints.mailboxes.outsidePolicy)).toBe("403 ErrorAccessDenied: Access is denied. Check credentials and try again."); // Marketing
  });
  it("an organization-wide assignment covers every mailbox", async () => {
    sb.ctx.store.accessPolicies.length = 0;
    removeTenantWideMailSend();
    rbac(undefined);
    expect(await trySend(sb.endpoints.mailboxes.outsidePolicy)).toBe("ok");
  });
  it("RBAC scoping does nothing while the tenant-wide consent is still there (grants add up)", async () => {
    sb.ctx.store.accessPolicies.length = 0;
    rbac("Department -eq 'HR'");
    expect(await trySend(sb.endpoints.mailboxes.outsidePolicy)).toBe("ok");
  });
  it("RBAC in scope grants a mailbox the access policy denies", async () => {
    rbac("Department -eq 'Marketing'");
    expect(await trySend(sb.endpoints.mailboxes.outsidePolicy)).toBe("ok");
    expect(await trySend(a("megan.bowen"))).toBe(DENIED);
  });
});
