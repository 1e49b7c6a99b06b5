import type { CookiesOptions } from "next-auth";

/**
 * The one place the portal's cookie names and options come from: next-auth's (session token, CSRF token,
 * callback URL, OAuth state, PKCE verifier, nonce) and the portal's own (the Microsoft sign-in tenant,
 * the link intent). Everything that sets or reads a cookie asks here: next-auth's options
 * (lib/auth/options.ts), getToken in the auth route, proxy.ts, server actions and tests.
 *
 * When PORTAL_URL is https every name carries the `__Host-` prefix: the browser then accepts the cookie
 * only with Secure, Path=/ and no Domain, so neither another subdomain nor a plain-http page of the same
 * host can set or overwrite it (https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Set-Cookie#cookie_prefixes,
 * RFC 6265bis §4.1.3.2). next-auth v4's `useSecureCookies` alone gives most of its cookies only `__Secure-`,
 * which a subdomain may still set with Domain=, hence explicit names. Over http (local demo) there is no
 * prefix: browsers refuse prefixed cookies without Secure.
 *
 * No "server-only" import: proxy.ts uses it too. It reads PORTAL_URL from the process environment, with
 * the same default as lib/env.ts.
 */
const DEFAULT_PORTAL_URL = "http://localhost:3000";

export function securePortal(portalUrl: string = process.env.PORTAL_URL ?? DEFAULT_PORTAL_URL): boolean {
  try {
    return new URL(portalUrl).protocol === "https:";
  } catch {
    return false;
  }
}

export interface PortalCookieNames {
  sessionToken: string;
  callbackUrl: string;
  csrfToken: string;
  pkceCodeVerifier: string;
  state: string;
  nonce: string;
  /** The tenant a "Sign in with Microsoft" click is for (set by the sign-in page and Settings). */
  signInTenant: string;
  /** "Link Microsoft account" intent (lib/auth/link-intent.ts). */
  linkIntent: string;
}

export function cookieNames(portalUrl?: string): PortalCookieNames {
  const p = securePortal(portalUrl) ? "__Host-" : "";
  return {
    sessionToken: `${p}next-auth.session-token`,
    callbackUrl: `${p}next-auth.callback-url`,
    csrfToken: `${p}next-auth.csrf-token`,
    pkceCodeVerifier: `${p}next-auth.pkce.code_verifier`,
    state: `${p}next-auth.state`,
    nonce: `${p}next-auth.nonce`,
    signInTenant: `${p}gmp-signin-tenant`,
    linkIntent: `${p}gmp-link-intent`,
  };
}

/** The attributes every portal cookie is set with (no Domain, ever: `__Host-` forbids it). */
export function cookieOptions(portalUrl?: string, maxAge?: number) {
  return { httpOnly: true, sameSite: "lax" as const, path: "/", secure: securePortal(portalUrl), ...(maxAge === undefined ? {} : { maxAge }) };
}

/** next-auth's `cookies` option: its six cookies under the names above, with next-auth's own lifetimes. */
export function nextAuthCookies(portalUrl?: string): CookiesOptions {
  const n = cookieNames(portalUrl);
  const o = cookieOptions(portalUrl);
  const fifteenMinutes = cookieOptions(portalUrl, 15 * 60);
  return {
    sessionToken: { name: n.sessionToken, options: o },
    callbackUrl: { name: n.callbackUrl, options: o },
    csrfToken: { name: n.csrfToken, options: o },
    pkceCodeVerifier: { name: n.pkceCodeVerifier, options: fifteenMinutes },
    state: { name: n.state, options: fifteenMinutes },
    nonce: { name: n.nonce, options: o },
  };
}

/** A session cookie, whole or one of the chunks next-auth splits a large one into (`<name>.0`, `<name>.1`, …). */
export function isSessionCookie(name: string, portalUrl?: string): boolean {
  const s = cookieNames(portalUrl).sessionToken;
  return name === s || (name.startsWith(`${s}.`) && /^\d+$/.test(name.slice(s.length + 1)));
}
