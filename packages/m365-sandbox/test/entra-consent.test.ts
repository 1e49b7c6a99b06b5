/**
 * Consent: the admin consent endpoints (accept, cancel, non-admin) and user consent inside the
 * authorization code flow, checked through tokens issued by the real MSAL afterwards.
 */
import { CryptoProvider } from "@azure/msal-node";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PageDriver, startTestSandbox, type TestSandbox } from "./support";

const CONSENT_REDIRECT = "http://localhost:3000/api/setup/consent";
let sb: TestSandbox;
let admin: { upn: string; password: string };
let normal: { upn: string; password: string };
beforeAll(async () => {
  sb = await startTestSandbox();
  admin = sb.endpoints.users[0]!;
  normal = sb.endpoints.users[1]!;
});
afterAll(async () => {
  await sb?.close();
});

interface Seeded {
  apps: { appId: string; secrets: { secretText: string }[] }[];
}

async function seedApp(extra: Record<string, unknown> = {}) {
  const res = await sb.control<Seeded>("/seed", {
    apps: [{ displayName: "Partner app", applicationPermissions: ["Mail.Send"], delegatedPermissions: ["User.Read"], redirectUris: [CONSENT_REDIRECT], ...extra }],
  });
  expect(res.status).toBe(201);
  const app = res.json.apps[0]!;
  return { clientId: app.appId, secret: app.secrets[0]!.secretText };
}

const adminConsentUrl = (clientId: string, path = "v2.0/adminconsent") =>
  `${sb.endpoints.loginUrl}/${sb.endpoints.tenant.id}/${path}?client_id=${clientId}&scope=${encodeURIComponent("https://graph.microsoft.com/.default")}&redirect_uri=${encodeURIComponent(CONSENT_REDIRECT)}&state=s-42`;

const roles = (token: string) => (decodeJwt(token).roles as string[] | undefined) ?? [];

describe("admin consent", () => {
  it("accept: creates the app role grants, returns admin_consent=True, and the next token carries the roles", async () => {
    const app = await seedApp();
    expect(roles(await sb.appTokenFor(app))).toEqual([]);
    const back = await new PageDriver().signIn(adminConsentUrl(app.clientId), admin.upn, admin.password);
    expect(`${back.origin}${back.pathname}`).toBe(CONSENT_REDIRECT);
    expect(back.searchParams.get("admin_consent")).toBe("True");
    expect(back.searchParams.get("tenant")).toBe(sb.endpoints.tenant.id);
    expect(back.searchParams.get("state")).toBe("s-42");
    expect(back.searchParams.get("scope")?.split(" ")).toEqual(expect.arrayContaining(["https://graph.microsoft.com/Mail.Send", "https://graph.microsoft.com/User.Read"]));
    expect(roles(await sb.appTokenFor(app))).toEqual(["Mail.Send"]);
    const grant = sb.ctx.store.delegatedGrants.find((g) => g.appId === app.clientId);
    expect(grant?.consentType).toBe("AllPrincipals");
    expect(grant?.scopes).toContain("User.Read");
  });

  it("the older /{tenant}/adminconsent endpoint works the same way", async () => {
    const app = await seedApp();
    const back = await new PageDriver().signIn(adminConsentUrl(app.clientId, "adminconsent"), admin.upn, admin.password);
    expect(back.searchParams.get("admin_consent")).toBe("True");
    expect(roles(await sb.appTokenFor(app))).toEqual(["Mail.Send"]);
  });

  it("cancel: returns the documented decline (admin_consent=True, error=consent_required, AADSTS65004) with the state and grants nothing", async () => {
    const app = await seedApp();
    const back = await new PageDriver().signIn(adminConsentUrl(app.clientId), admin.upn, admin.password, "cancel");
    // entra-docs identity-platform/v2-admin-consent.md, "Error response".
    expect(back.searchParams.get("admin_consent")).toBe("True");
    expect(back.searchParams.get("error")).toBe("consent_required");
    expect(back.searchParams.get("error_subcode")).toBeNull();
    expect(back.searchParams.get("error_description")).toMatch(
      /^AADSTS65004: The resource owner or authorization server denied the request\.\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/,
    );
    expect(back.searchParams.get("tenant")).toBeNull();
    expect(back.searchParams.get("state")).toBe("s-42");
    expect(roles(await sb.appTokenFor(app))).toEqual([]);
  });

  it("a user who is not an admin sees 'Need admin approval' and returns with consent_required", async () => {
    const app = await seedApp();
    const browser = new PageDriver();
    const url = adminConsentUrl(app.clientId);
    expect(await browser.open(url)).toBeUndefined();
    expect(await browser.submit({ action: "signin", username: normal.upn, password: normal.password }, url)).toBeUndefined();
    expect(browser.html).toContain("Need admin approval");
    const back = await browser.submit({ action: "return" }, url);
    expect(back?.searchParams.get("error")).toBe("consent_required");
    expect(back?.searchParams.get("admin_consent")).toBe("True");
    expect(back?.searchParams.get("error_description")).toMatch(/^AADSTS90094: /);
    expect(back?.searchParams.get("state")).toBe("s-42");
    expect(roles(await sb.appTokenFor(app))).toEqual([]);
  });

  it("explicit directoryRoles decide who is an admin once a tenant uses them", async () => {
    const seeded = await sb.control<{ tenants: { id: string }[] }>("/seed", {
      tenants: [{ domain: "fabrikam.sandbox" }],
      users: [
        { tenant: "fabrikam.sandbox", userPrincipalName: "admin@fabrikam.sandbox", displayName: "Not really admin", password: "P1", directoryRoles: [] },
        { tenant: "fabrikam.sandbox", userPrincipalName: "ga@fabrikam.sandbox", displayName: "Global Admin", password: "P2", directoryRoles: ["Global Administrator"] },
      ],
      apps: [{ tenant: "fabrikam.sandbox", displayName: "Fabrikam app", applicationPermissions: ["Mail.Send"], redirectUris: [CONSENT_REDIRECT] }],
    });
    expect(seeded.status).toBe(201);
    const tid = seeded.json.tenants[0]!.id;
    const appId = (seeded.json as unknown as Seeded).apps[0]!.appId;
    const url = `${sb.endpoints.loginUrl}/fabrikam.sandbox/v2.0/adminconsent?client_id=${appId}&redirect_uri=${encodeURIComponent(CONSENT_REDIRECT)}&state=f`;
    const b1 = new PageDriver();
    await b1.open(url);
    await b1.submit({ action: "signin", username: "admin@fabrikam.sandbox", password: "P1" }, url);
    expect(b1.html).toContain("Need admin approval");
    const back = await new PageDriver().signIn(url, "ga@fabrikam.sandbox", "P2");
    expect(back.searchParams.get("tenant")).toBe(tid);
  });
});

describe("user consent in the authorization code flow", () => {
  async function signInTo(clientId: string, scopes: string[], who: { upn: string; password: string }, consent: "accept" | "cancel" = "accept") {
    const pkce = await new CryptoProvider().generatePkceCodes();
    const msal = sb.msalApp({ clientId, secret: "unused" });
    const url = await msal.getAuthCodeUrl({ scopes, redirectUri: CONSENT_REDIRECT, codeChallenge: pkce.challenge, codeChallengeMethod: "S256", state: "u" });
    const browser = new PageDriver();
    const back = await browser.signIn(url, who.upn, who.password, consent);
    return { back, pkce, browser, url };
  }

  it("asks for consent once, then remembers the user's grant", async () => {
    const app = await seedApp({ delegatedPermissions: ["Mail.Send", "User.Read", "openid", "profile", "offline_access"] });
    const first = await signInTo(app.clientId, ["Mail.Send"], normal);
    expect(first.back.searchParams.get("code")).toBeTruthy();
    const msal = sb.msalApp(app);
    const result = await msal.acquireTokenByCode({ code: first.back.searchParams.get("code")!, scopes: ["Mail.Send"], redirectUri: CONSENT_REDIRECT, codeVerifier: first.pkce.verifier });
    expect(String(decodeJwt(result.accessToken).scp).split(" ")).toContain("Mail.Send");
    const grant = sb.ctx.store.delegatedGrants.find((g) => g.appId === app.clientId && g.consentType === "Principal");
    expect(grant?.scopes).toEqual(expect.arrayContaining(["Mail.Send", "openid", "profile", "offline_access"]));
    // Second sign-in: same scopes → no consent page (PageDriver would have accepted it; check the page directly).
    const browser = new PageDriver();
    const again = await msal.getAuthCodeUrl({ scopes: ["Mail.Send"], redirectUri: CONSENT_REDIRECT, state: "u2" });
    await browser.open(again);
    const back = await browser.submit({ action: "signin", username: normal.upn, password: normal.password }, again);
    expect(back?.searchParams.get("code")).toBeTruthy();
  });

  it("cancel returns access_denied (AADSTS65004)", async () => {
    const app = await seedApp({ delegatedPermissions: ["Mail.Send"] });
    const { back } = await signInTo(app.clientId, ["Mail.Send"], normal, "cancel");
    expect(back.searchParams.get("error")).toBe("access_denied");
    expect(back.searchParams.get("error_description")).toMatch(/^AADSTS65004: /);
  });

  it("a scope only an admin may grant sends a normal user to 'Need admin approval'", async () => {
    const app = await seedApp({ delegatedPermissions: ["User.Read.All"] });
    const pkce = await new CryptoProvider().generatePkceCodes();
    const url = await sb.msalApp({ clientId: app.clientId, secret: "unused" }).getAuthCodeUrl({ scopes: ["User.Read.All"], redirectUri: CONSENT_REDIRECT, codeChallenge: pkce.challenge, codeChallengeMethod: "S256" });
    const browser = new PageDriver();
    await browser.open(url);
    expect(await browser.submit({ action: "signin", username: normal.upn, password: normal.password }, url)).toBeUndefined();
    expect(browser.html).toContain("Need admin approval");
    expect(browser.html).toContain("User.Read.All");
  });
});
