/**
 * Authorization code + PKCE through the sandbox's sign-in page, redeemed with the real MSAL
 * (acquireTokenByCode), then refreshed (acquireTokenByRefreshToken and acquireTokenSilent);
 * the AADSTS cases of the code flow; prompt and login_hint; redirect URI rules.
 */
import { CryptoProvider, InteractionRequiredAuthError, PublicClientApplication, ServerError } from "@azure/msal-node";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PageDriver, startTestSandbox, TEST_REDIRECT_URI, type TestSandbox } from "./support";

const REDIRECT = TEST_REDIRECT_URI;
const SCOPES = ["Mail.Send", "User.Read"];
let sb: TestSandbox;
let user: { upn: string; password: string };
beforeAll(async () => {
  sb = await startTestSandbox();
  user = sb.endpoints.users[1]!;
});
afterAll(async () => {
  await sb?.close();
});

async function start(opts: { extra?: Record<string, string>; redirectUri?: string } = {}) {
  const pkce = await new CryptoProvider().generatePkceCodes();
  const msal = sb.msalApp();
  const url = await msal.getAuthCodeUrl({
    scopes: SCOPES,
    redirectUri: opts.redirectUri ?? REDIRECT,
    state: "st-1",
    nonce: "nonce-1",
    codeChallenge: pkce.challenge,
    codeChallengeMethod: "S256",
    ...(opts.extra ? { extraQueryParameters: opts.extra } : {}),
  });
  return { msal, url, pkce };
}

async function codeFor(browser = new PageDriver(), extra?: Record<string, string>) {
  const s = await start(extra ? { extra } : {});
  const back = await browser.signIn(s.url, user.upn, user.password);
  return { ...s, code: back.searchParams.get("code")!, browser };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
}

function refreshTokenFromCache(msal: ReturnType<TestSandbox["msalApp"]>): string {
  const cache = JSON.parse(msal.getTokenCache().serialize()) as { RefreshToken: Record<string, { secret: string }> };
  const rt = Object.values(cache.RefreshToken)[0];
  if (!rt) throw new Error("no refresh token in MSAL's cache");
  return rt.secret;
}

describe("authorization code with PKCE", () => {
  it("signs a user in through the page and redeems the code with acquireTokenByCode", async () => {
    const { msal, code, pkce } = await codeFor();
    const result = await msal.acquireTokenByCode({ code, scopes: SCOPES, redirectUri: REDIRECT, codeVerifier: pkce.verifier, nonce: "nonce-1" });
    expect(result.account?.username).toBe(user.upn);
    expect(result.scopes).toEqual(expect.arrayContaining(["Mail.Send", "User.Read", "openid", "profile", "offline_access"]));
    const at = decodeJwt(result.accessToken);
    expect(at.idtyp).toBe("user");
    expect(at.upn).toBe(user.upn);
    expect(at.tid).toBe(sb.endpoints.tenant.id);
    expect(String(at.scp).split(" ")).toEqual(expect.arrayContaining(["Mail.Send", "User.Read"]));
    expect((await sb.ctx.verifyGraphToken(`Bearer ${result.accessToken}`)).ok).toBe(true);
    const id = decodeJwt(result.idToken);
    expect(id.iss).toBe(`${sb.endpoints.loginUrl}/${sb.endpoints.tenant.id}/v2.0`);
    expect(id.aud).toBe(sb.endpoints.app.clientId);
    expect(id.nonce).toBe("nonce-1");
    expect(id.preferred_username).toBe(user.upn);
    expect(id.tid).toBe(sb.endpoints.tenant.id);
    expect(id.oid).toBe(at.oid);
    // Silent refresh from MSAL's cache (uses the refresh token).
    const silent = await msal.acquireTokenSilent({ account: result.account!, scopes: SCOPES, forceRefresh: true });
    expect(silent.accessToken).not.toBe(result.accessToken);
    expect(decodeJwt(silent.accessToken).upn).toBe(user.upn);
    // acquireTokenByRefreshToken with the refresh token MSAL received.
    const byRt = await msal.acquireTokenByRefreshToken({ refreshToken: refreshTokenFromCache(msal), scopes: SCOPES });
    expect(decodeJwt(byRt!.accessToken).oid).toBe(at.oid);
  });

  it("GET /credentials lists the refresh tokens issued and the app's client secrets, filtered by app", async () => {
    const { msal, code, pkce } = await codeFor();
    await msal.acquireTokenByCode({ code, scopes: SCOPES, redirectUri: REDIRECT, codeVerifier: pkce.verifier, nonce: "nonce-1" });
    const issued = refreshTokenFromCache(msal);
    type Creds = { clientSecrets: { appId: string; secretText: string }[]; refreshTokens: { appId: string; token: string; revoked: boolean }[] };
    const mine = await sb.control<Creds>(`/credentials?appId=${sb.endpoints.app.clientId}`);
    expect(mine.status).toBe(200);
    expect(mine.json.refreshTokens).toContainEqual(expect.objectContaining({ appId: sb.endpoints.app.clientId, token: issued, revoked: false }));
    expect(mine.json.clientSecrets.map((s) => s.secretText)).toContain(sb.endpoints.app.clientSecret);
    const other = await sb.control<Creds>("/credentials?appId=00000000-0000-0000-0000-000000000000");
    expect(other.json).toEqual({ clientSecrets: [], refreshTokens: [] });
  });

  it("works with the 'organizations' authority: the signed-in user's tenant issues the tokens", async () => {
    const pkce = await new CryptoProvider().generatePkceCodes();
    const msal = sb.msalApp({ tenant: "organizations" });
    const url = await msal.getAuthCodeUrl({ scopes: SCOPES, redirectUri: REDIRECT, codeChallenge: pkce.challenge, codeChallengeMethod: "S256", nonce: "n-org" });
    expect(url.startsWith(`${sb.endpoints.loginUrl}/organizations/oauth2/v2.0/authorize`)).toBe(true);
    const back = await new PageDriver().signIn(url, user.upn, user.password);
    const result = await msal.acquireTokenByCode({ code: back.searchParams.get("code")!, scopes: SCOPES, redirectUri: REDIRECT, codeVerifier: pkce.verifier, nonce: "n-org" });
    expect(decodeJwt(result.accessToken).tid).toBe(sb.endpoints.tenant.id);
    expect(result.tenantId).toBe(sb.endpoints.tenant.id);
  });

  it("501481 when the code_verifier does not match the challenge", async () => {
    const { msal, code } = await codeFor();
    const e = await rejection(msal.acquireTokenByCode({ code, scopes: SCOPES, redirectUri: REDIRECT, codeVerifier: "x".repeat(43), nonce: "nonce-1" }));
    expect(e).toBeInstanceOf(ServerError);
    expect((e as ServerError).errorCode).toBe("invalid_grant");
    expect(String((e as ServerError).errorNo)).toBe("501481");
  });

  it("54005 when a code is redeemed twice", async () => {
    const { msal, code, pkce } = await codeFor();
    await msal.acquireTokenByCode({ code, scopes: SCOPES, redirectUri: REDIRECT, codeVerifier: pkce.verifier, nonce: "nonce-1" });
    const e = await rejection(msal.acquireTokenByCode({ code, scopes: SCOPES, redirectUri: REDIRECT, codeVerifier: pkce.verifier, nonce: "nonce-1" }));
    expect(String((e as ServerError).errorNo)).toBe("54005");
    expect((e as ServerError).errorCode).toBe("invalid_grant");
  });

  it("70008 when a code is redeemed after it expired (sandbox clock)", async () => {
    const { msal, code, pkce } = await codeFor();
    await sb.control("/clock", { advanceSeconds: 11 * 60 });
    try {
      const e = await rejection(msal.acquireTokenByCode({ code, scopes: SCOPES, redirectUri: REDIRECT, codeVerifier: pkce.verifier, nonce: "nonce-1" }));
      expect(String((e as ServerError).errorNo)).toBe("70008");
    } finally {
      await sb.control("/clock", { reset: true });
    }
  });

  it("7000218 when a client without a credential redeems the code (public client against a confidential app)", async () => {
    const { code, pkce } = await codeFor();
    const pca = new PublicClientApplication({
      auth: { clientId: sb.endpoints.app.clientId, authority: sb.endpoints.authority, knownAuthorities: [new URL(sb.endpoints.loginUrl).host] },
    });
    const e = await rejection(pca.acquireTokenByCode({ code, scopes: SCOPES, redirectUri: REDIRECT, codeVerifier: pkce.verifier, nonce: "nonce-1" }));
    expect(e).toBeInstanceOf(ServerError);
    expect((e as ServerError).errorCode).toBe("invalid_client");
    expect(String((e as ServerError).errorNo)).toBe("7000218");
  });

  it("65001 (consent_required) when a refresh asks for a scope nobody consented to", async () => {
    const { msal, code, pkce } = await codeFor();
    await msal.acquireTokenByCode({ code, scopes: SCOPES, redirectUri: REDIRECT, codeVerifier: pkce.verifier, nonce: "nonce-1" });
    const e = await rejection(msal.acquireTokenByRefreshToken({ refreshToken: refreshTokenFromCache(msal), scopes: ["Mail.Send.Shared"] }));
    // Entra's answer carries suberror "consent_required", which MSAL turns into InteractionRequiredAuthError.
    expect(e).toBeInstanceOf(InteractionRequiredAuthError);
    expect((e as InteractionRequiredAuthError).errorCode).toBe("invalid_grant");
    expect((e as InteractionRequiredAuthError).subError).toBe("consent_required");
    expect(String((e as InteractionRequiredAuthError).errorNo)).toBe("65001");
  });

  it("50173 after the user's sessions are revoked", async () => {
    const { msal, code, pkce } = await codeFor();
    await msal.acquireTokenByCode({ code, scopes: SCOPES, redirectUri: REDIRECT, codeVerifier: pkce.verifier, nonce: "nonce-1" });
    expect((await sb.control(`/users/${encodeURIComponent(user.upn)}/revoke-sessions`, {})).status).toBe(200);
    const e = await rejection(msal.acquireTokenByRefreshToken({ refreshToken: refreshTokenFromCache(msal), scopes: SCOPES }));
    expect(String((e as ServerError).errorNo)).toBe("50173");
  });
});

describe("the sign-in page", () => {
  it("shows a wrong password as an error on the page, not a redirect", async () => {
    const browser = new PageDriver();
    const { url } = await start();
    expect(await browser.open(url)).toBeUndefined();
    expect(browser.html).toMatch(/<label[^>]* for="password">Password<\/label>/);
    expect(await browser.submit({ action: "signin", username: user.upn, password: "wrong" }, url)).toBeUndefined();
    expect(browser.html).toMatch(/role="alert"[^>]*>Your account or password is incorrect/);
  });

  it("AADSTS50011 page (no redirect) for an unregistered redirect URI; the port of http://localhost is ignored", async () => {
    const browser = new PageDriver();
    const bad = await start({ redirectUri: "https://evil.example/callback" });
    expect(await browser.open(bad.url)).toBeUndefined();
    expect(browser.status).toBe(400);
    expect(browser.html).toContain("AADSTS50011");
    const otherPort = "http://localhost:4567/callback";
    const ok = await start({ redirectUri: otherPort });
    const back = await new PageDriver().signIn(ok.url, user.upn, user.password);
    expect(`${back.origin}${back.pathname}`).toBe(otherPort);
  });

  it("prompt=none: login_required without a session, a code straight away with one", async () => {
    const fresh = await start({ extra: { prompt: "none" } });
    const denied = await new PageDriver().open(fresh.url);
    expect(denied?.searchParams.get("error")).toBe("login_required");
    expect(denied?.searchParams.get("error_description")).toMatch(/^AADSTS50058: /);
    expect(denied?.searchParams.get("state")).toBe("st-1");
    const { browser } = await codeFor();
    const again = await start({ extra: { prompt: "none" } });
    const back = await browser.open(again.url);
    expect(back?.searchParams.get("code")).toBeTruthy();
  });

  it("prompt=login asks again although a session exists; login_hint preselects the account", async () => {
    const { browser } = await codeFor();
    const s = await start({ extra: { prompt: "login", login_hint: sb.endpoints.users[0]!.upn } });
    expect(await browser.open(s.url)).toBeUndefined();
    expect(browser.html).toMatch(new RegExp(`value="${sb.endpoints.users[0]!.upn.replace(/\./g, "\\.")}" checked`));
  });

  it("escapes hostile input in pages and form_post answers", async () => {
    const s = await start({ extra: { login_hint: '"><script>alert(1)</script>' } });
    expect(s.url).toContain("response_mode=query");
    const url = s.url.replace("response_mode=query", "response_mode=form_post").replace("state=st-1", `state=${encodeURIComponent('"><img src=x onerror=alert(1)>')}`);
    const browser = new PageDriver();
    expect(await browser.open(url)).toBeUndefined();
    expect(browser.html).not.toContain("<script>alert(1)");
    expect(await browser.submit({ action: "signin", username: user.upn, password: user.password }, url)).toBeUndefined();
    expect(browser.html).toContain("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    expect(browser.html).not.toContain("<img src=x");
  });
});
