import { describe, expect, it } from "vitest";
import { cookieNames, cookieOptions, isSessionCookie, nextAuthCookies } from "@/lib/auth/cookies";

const NEXT_AUTH_COOKIES = ["sessionToken", "callbackUrl", "csrfToken", "pkceCodeVerifier", "state", "nonce"] as const;

describe("cookie names (lib/auth/cookies.ts)", () => {
  it("over https every cookie is __Host-: Secure, Path=/, no Domain", () => {
    const url = "https://mail.example.com";
    const names = Object.values(cookieNames(url));
    expect(names).toHaveLength(8);
    expect(names.every((n) => n.startsWith("__Host-"))).toBe(true);
    expect(cookieNames(url)).toMatchObject({ sessionToken: "__Host-next-auth.session-token", csrfToken: "__Host-next-auth.csrf-token", linkIntent: "__Host-gmp-link-intent", signInTenant: "__Host-gmp-signin-tenant" });
    const opts = nextAuthCookies(url);
    for (const k of NEXT_AUTH_COOKIES) {
      expect(opts[k]!.name).toBe(cookieNames(url)[k]);
      expect(opts[k]!.options).toMatchObject({ secure: true, path: "/", httpOnly: true, sameSite: "lax" });
      expect(opts[k]!.options).not.toHaveProperty("domain");
    }
    expect(cookieOptions(url, 600)).toEqual({ httpOnly: true, sameSite: "lax", path: "/", secure: true, maxAge: 600 });
  });

  it("over http (the local demo) no prefix and no Secure: browsers refuse prefixed cookies without it", () => {
    const url = "http://localhost:3000";
    expect(Object.values(cookieNames(url)).some((n) => n.startsWith("__"))).toBe(false);
    expect(cookieNames(url).sessionToken).toBe("next-auth.session-token");
    for (const k of NEXT_AUTH_COOKIES) expect(nextAuthCookies(url)[k]!.options.secure).toBe(false);
    expect(nextAuthCookies(url).state!.options.maxAge).toBe(15 * 60);
  });

  it("recognises the session cookie and its chunks, under the scheme's name only", () => {
    const https = "https://mail.example.com";
    expect(isSessionCookie("__Host-next-auth.session-token", https)).toBe(true);
    expect(isSessionCookie("__Host-next-auth.session-token.0", https)).toBe(true);
    expect(isSessionCookie("__Secure-next-auth.session-token", https)).toBe(false);
    expect(isSessionCookie("next-auth.session-token", https)).toBe(false);
    expect(isSessionCookie("x-next-auth.session-token", "http://localhost")).toBe(false);
    expect(isSessionCookie("next-auth.session-token.1", "http://localhost")).toBe(true);
    expect(isSessionCookie("next-auth.session-token.evil", "http://localhost")).toBe(false);
  });
});
