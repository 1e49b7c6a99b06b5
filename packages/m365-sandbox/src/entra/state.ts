/**
 * Entra's short-lived protocol state, per running sandbox: authorization codes, refresh tokens,
 * browser sign-in sessions and seen client-assertion ids. Kept outside the Store on purpose:
 * it is not directory data, and POST /_sandbox/reset wipes it (every session and token ends).
 */
import type { SandboxContext } from "../context";

export interface AuthCode {
  tenantId: string;
  appId: string;
  userId: string;
  redirectUri: string;
  /** Scopes granted to the code, short form ("Mail.Send", "openid", …). */
  scopes: string[];
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: "S256" | "plain";
  expiresAt: number;
  redeemed: boolean;
}

export interface RefreshGrant {
  tenantId: string;
  appId: string;
  userId: string;
  scopes: string[];
  /** Inactivity expiry (90 days by default, learn "refresh-tokens"). */
  expiresAt: number;
  revoked: boolean;
}

export interface SignInSession {
  tenantId: string;
  userId: string;
  authTime: number;
}

/** An authorize or admin-consent request in progress (between the sign-in and consent pages). */
export interface Flow {
  kind: "authorize" | "adminconsent";
  /** Authority tenant segment as called (GUID, domain, "common", "organizations"). */
  segment: string;
  /** Resolved tenant; undefined for common/organizations until a user signs in. */
  tenantId?: string;
  appId: string;
  redirectUri: string;
  responseMode: "query" | "fragment" | "form_post";
  state?: string;
  nonce?: string;
  /** Requested permissions, short form (".default" already expanded to the app's static scopes). */
  scopes: string[];
  /** The scope parameter as sent (echoed by admin consent). */
  scopeParam?: string;
  codeChallenge?: string;
  codeChallengeMethod?: "S256" | "plain";
  prompt?: string;
  loginHint?: string;
  /** Set once a user has signed in (or was taken from the session). */
  userId?: string;
  expiresAt: number;
}

export interface EntraState {
  codes: Map<string, AuthCode>;
  refreshTokens: Map<string, RefreshGrant>;
  sessions: Map<string, SignInSession>;
  /** Assertion jti → exp (ms): a client assertion may be used once. */
  assertionIds: Map<string, number>;
  flows: Map<string, Flow>;
}

const states = new WeakMap<SandboxContext, EntraState>();

export function entraState(ctx: SandboxContext): EntraState {
  let s = states.get(ctx);
  if (!s) {
    s = { codes: new Map(), refreshTokens: new Map(), sessions: new Map(), assertionIds: new Map(), flows: new Map() };
    states.set(ctx, s);
  }
  return s;
}

export function resetEntraState(ctx: SandboxContext): void {
  states.delete(ctx);
}

/** Drops expired codes and assertion ids so a long-running sandbox does not grow without bound. */
export function pruneEntraState(ctx: SandboxContext): void {
  const s = entraState(ctx);
  const now = ctx.clock.now();
  for (const [k, c] of s.codes) if (c.expiresAt + 10 * 60_000 < now) s.codes.delete(k);
  for (const [k, f] of s.flows) if (f.expiresAt < now) s.flows.delete(k);
  for (const [k, exp] of s.assertionIds) if (exp < now) s.assertionIds.delete(k);
  for (const [k, r] of s.refreshTokens) if (r.expiresAt < now) s.refreshTokens.delete(k);
}
