/** The control API (reset, seed validation, state, faults, clock) and OpenID discovery. */
import { createRemoteJWKSet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox, type TestSandbox } from "./support";

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => {
  await sb?.close();
});

describe("control API", () => {
  it("POST /seed validates and names every bad field, applying nothing", async () => {
    const before = sb.ctx.store.users.size;
    const res = await sb.control<{ error: { fields: string[] } }>("/seed", {
      users: [
        { userPrincipalName: "ok.person@contoso.sandbox", displayName: "OK" },
        { userPrincipalName: "someone@not-our-domain.example", displayName: "" },
      ],
      apps: [{ displayName: "x", applicationPermissions: ["Mail.Sendd"] }],
      bogus: 1,
    });
    expect(res.status).toBe(400);
    expect(res.json.error.fields).toEqual(expect.arrayContaining(["users[1].userPrincipalName", "users[1].displayName", "apps[0].applicationPermissions", "bogus"]));
    expect(sb.ctx.store.users.size).toBe(before);
  });

  it("POST /seed adds users with mailboxes, groups and policies that resolve by address", async () => {
    const res = await sb.control<{ users: { id: string }[]; groups: { id: string }[] }>("/seed", {
      users: [{ userPrincipalName: "new.hire@contoso.sandbox", displayName: "New Hire", createdDateTime: new Date().toISOString() }],
      groups: [{ displayName: "Welcome Senders", kind: "mailEnabledSecurity", mail: "welcome-senders@contoso.sandbox", members: ["new.hire@contoso.sandbox", sb.endpoints.mailboxes.shared] }],
      accessPolicies: [{ appId: sb.endpoints.app.clientId, accessRight: "DenyAccess", scope: "welcome-senders@contoso.sandbox" }],
    });
    expect(res.status).toBe(201);
    const user = sb.ctx.store.users.get(res.json.users[0]!.id)!;
    expect(sb.ctx.store.mailboxes.get(user.id)?.kind).toBe("user");
    expect(sb.ctx.store.groups.get(res.json.groups[0]!.id)?.members).toHaveLength(2);
    expect(sb.ctx.store.accessPolicies.some((p) => p.accessRight === "DenyAccess" && p.scopeId === res.json.groups[0]!.id)).toBe(true);
    // A shared mailbox is not a valid PolicyScopeGroupId (GRAPH-FACTS §7).
    const bad = await sb.control<{ error: { fields: string[] } }>("/seed", { accessPolicies: [{ appId: sb.endpoints.app.clientId, accessRight: "RestrictAccess", scope: sb.endpoints.mailboxes.shared }] });
    expect(bad.status).toBe(400);
    expect(bad.json.error.fields).toEqual(["accessPolicies[0].scope"]);
  });

  it("POST /reset restores the demo tenant and clears faults and the clock", async () => {
    await sb.control("/seed", { users: [{ userPrincipalName: "temp@contoso.sandbox", displayName: "Temp" }] });
    await sb.control("/faults", { rate: 0.5, statuses: [503] });
    await sb.control("/clock", { advanceSeconds: 3600 });
    const seededUsers = [...sb.ctx.store.users.values()].filter((u) => u.userPrincipalName === "temp@contoso.sandbox");
    expect(seededUsers).toHaveLength(1);
    expect((await sb.control("/reset")).status).toBe(200);
    expect([...sb.ctx.store.users.values()].some((u) => u.userPrincipalName === "temp@contoso.sandbox")).toBe(false);
    expect(sb.ctx.faults.rate).toBe(0);
    expect(Math.abs(sb.ctx.clock.now() - Date.now())).toBeLessThan(5000);
    // The demo identity survives: the same app still gets tokens.
    await expect(sb.appTokenFor()).resolves.toBeTruthy();
  });

  it("POST /faults validates its input and {rate:0} clears", async () => {
    const bad = await sb.control<{ error: { fields: string[] } }>("/faults", { rate: 2, statuses: [200], latencyMs: -1, retryAfterFormat: "minutes", responseDelayMs: 1.5 });
    expect(bad.status).toBe(400);
    expect(bad.json.error.fields).toEqual(expect.arrayContaining(["rate", "statuses", "latencyMs", "retryAfterFormat", "responseDelayMs"]));
    const ok = await sb.control<{ faults: unknown }>("/faults", { rate: 1, statuses: [429], retryAfterSeconds: 2, latencyMs: 10 });
    expect(ok.status).toBe(200);
    expect(sb.ctx.faults).toEqual({ rate: 1, statuses: [429], retryAfterSeconds: 2, retryAfterFormat: "seconds", latencyMs: 10, latencyJitterMs: 0, responseDelayMs: 0 });
    await sb.control("/faults", { rate: 1, statuses: [503], retryAfterSeconds: 5, retryAfterFormat: "http-date", responseDelayMs: 20 });
    expect(sb.ctx.faults).toMatchObject({ retryAfterFormat: "http-date", responseDelayMs: 20 });
    await sb.control("/faults", { rate: 0 });
    expect(sb.ctx.faults.rate).toBe(0);
  });

  it("GET /state summarises without secrets or passwords", async () => {
    const res = await sb.control<Record<string, unknown>>("/state");
    expect(res.status).toBe(200);
    const text = JSON.stringify(res.json);
    expect(text).not.toContain(sb.endpoints.app.clientSecret);
    for (const u of sb.endpoints.users) expect(text).not.toContain(u.password);
    expect(text).toContain(sb.endpoints.tenant.id);
  });

  it("POST /clock moves token expiry: an access token stops verifying after an hour", async () => {
    const token = await sb.appTokenFor();
    expect((await sb.ctx.verifyGraphToken(`Bearer ${token}`)).ok).toBe(true);
    await sb.control("/clock", { advanceSeconds: 3600 });
    try {
      expect(await sb.ctx.verifyGraphToken(`Bearer ${token}`)).toEqual({ ok: false, message: "Access token has expired or is not yet valid." });
    } finally {
      await sb.control("/clock", { reset: true });
    }
    const bad = await sb.control("/clock", { advanceSeconds: -5 });
    expect(bad.status).toBe(400);
  });
});

describe("discovery", () => {
  it("serves openid-configuration by tenant id and domain, with the v2 issuer", async () => {
    const e = sb.endpoints;
    for (const seg of [e.tenant.id, e.tenant.domain]) {
      const cfg = (await (await fetch(`${e.loginUrl}/${seg}/v2.0/.well-known/openid-configuration`)).json()) as Record<string, string>;
      expect(cfg.issuer).toBe(`${e.loginUrl}/${e.tenant.id}/v2.0`);
      expect(cfg.token_endpoint).toBe(`${e.loginUrl}/${e.tenant.id}/oauth2/v2.0/token`);
      expect(cfg.authorization_endpoint).toBe(`${e.loginUrl}/${e.tenant.id}/oauth2/v2.0/authorize`);
      expect(cfg.jwks_uri).toBe(`${e.loginUrl}/${e.tenant.id}/discovery/v2.0/keys`);
      expect(cfg.end_session_endpoint).toBeTruthy();
    }
    const common = (await (await fetch(`${e.loginUrl}/common/v2.0/.well-known/openid-configuration`)).json()) as Record<string, string>;
    expect(common.issuer).toBe(`${e.loginUrl}/{tenantid}/v2.0`);
  });

  it("publishes keys that verify the sandbox's tokens (what next-auth checks)", async () => {
    const jwks = createRemoteJWKSet(new URL(`${sb.endpoints.loginUrl}/${sb.endpoints.tenant.id}/discovery/v2.0/keys`));
    const token = await sb.appTokenFor();
    const { payload } = await jwtVerify(token, jwks, { audience: "https://graph.microsoft.com", issuer: `https://sts.windows.net/${sb.endpoints.tenant.id}/` });
    expect(payload.appid).toBe(sb.endpoints.app.clientId);
  });
});
