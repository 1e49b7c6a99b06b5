/**
 * Tokens the sandbox's Entra ID issues, and the Graph side's check of them.
 *
 * Access tokens for Graph are v1.0 JWTs, as Entra issues them for Microsoft Graph even from the
 * v2.0 endpoint (Graph's accessTokenAcceptedVersion is null): aud "https://graph.microsoft.com",
 * iss "https://sts.windows.net/{tid}/" (GRAPH-FACTS §5; learn "identity-platform/access-token-claims-reference").
 * ID tokens are v2.0: iss "{loginUrl}/{tid}/v2.0", aud = client id ("identity-platform/id-token-claims-reference").
 * All are RS256 with the sandbox signing key (kid published at …/discovery/v2.0/keys).
 */
import { createHash, createPublicKey, randomBytes, type KeyObject } from "node:crypto";
import { SignJWT, calculateJwkThumbprint, decodeProtectedHeader, errors as joseErrors, exportJWK, jwtVerify, type JWTPayload } from "jose";
import { epochSeconds } from "../clock";
import type { SandboxContext } from "../context";
import type { AppRegistration, TokenClaims, User } from "../model";

export const GRAPH_AUDIENCE = "https://graph.microsoft.com";
/** Graph's app id is also accepted as audience by Graph (tokens requested with the GUID resource). */
const GRAPH_AUDIENCES = [GRAPH_AUDIENCE, `${GRAPH_AUDIENCE}/`, "00000003-0000-0000-c000-000000000000"];
/** Entra's default access token lifetime is 60–90 minutes; MSAL and the docs show expires_in 3599. */
export const ACCESS_TOKEN_SECONDS = 3599;
export const ID_TOKEN_SECONDS = 3600;

export type SigningKey = SandboxContext["signing"];

/** The signing key as the context holds it: private key, RFC 7638 thumbprint as kid, public JWK. */
export async function signingFromKey(privateKey: KeyObject): Promise<SigningKey> {
  const jwk = (await exportJWK(createPublicKey(privateKey))) as Record<string, unknown>;
  const kid = await calculateJwkThumbprint(jwk as { kty: string; n: string; e: string });
  return { privateKey, kid, publicJwk: { kty: "RSA", use: "sig", kid, n: jwk.n, e: jwk.e, alg: "RS256" } };
}

export const stsIssuer = (tid: string) => `https://sts.windows.net/${tid}/`;
export const v2Issuer = (ctx: SandboxContext, tid: string) => `${ctx.urls.loginUrl}/${tid}/v2.0`;

/** Opaque claim values Entra includes (aio, rh, uti): random, shaped like the real ones. */
const opaque = (bytes: number) => randomBytes(bytes).toString("base64url");

/** Pairwise subject: stable per (principal, app), like Entra's `sub`. */
export function pairwiseSub(principalId: string, appId: string): string {
  return createHash("sha256").update(`${principalId}|${appId}`).digest("base64url").slice(0, 43);
}

async function sign(ctx: SandboxContext, payload: JWTPayload, lifetime: number, header: Record<string, unknown> = {}): Promise<string> {
  const now = epochSeconds(ctx.clock);
  return new SignJWT({ ...payload, iat: now, nbf: now, exp: now + lifetime })
    .setProtectedHeader({ typ: "JWT", alg: "RS256", kid: ctx.signing.kid, ...header })
    .sign(ctx.signing.privateKey);
}

/** appidacr: "1" = client secret, "2" = certificate (access-token-claims-reference). */
export type ClientAuthMethod = "secret" | "certificate";
const appidacr = (m: ClientAuthMethod) => (m === "certificate" ? "2" : "1");

export interface AppTokenInput {
  tenantId: string;
  app: AppRegistration;
  spObjectId: string;
  roles: string[];
  method: ClientAuthMethod;
}

/** App-only Graph token (client credentials). No `roles` claim at all when nothing is consented, as Entra does. */
export async function issueAppToken(ctx: SandboxContext, t: AppTokenInput): Promise<string> {
  const payload: JWTPayload = {
    aud: GRAPH_AUDIENCE,
    iss: stsIssuer(t.tenantId),
    aio: opaque(40),
    app_displayname: t.app.displayName,
    appid: t.app.appId,
    appidacr: appidacr(t.method),
    idp: stsIssuer(t.tenantId),
    idtyp: "app",
    oid: t.spObjectId,
    rh: opaque(30),
    ...(t.roles.length ? { roles: t.roles } : {}),
    sub: t.spObjectId,
    tenant_region_scope: "EU",
    tid: t.tenantId,
    uti: opaque(16),
    ver: "1.0",
  };
  // Real Graph tokens carry a header `nonce`, which is why third parties cannot validate them.
  return sign(ctx, payload, ACCESS_TOKEN_SECONDS, { nonce: opaque(32) });
}

export interface DelegatedTokenInput {
  tenantId: string;
  app: AppRegistration;
  user: User;
  /** Graph scopes in short form, e.g. ["Mail.Send", "User.Read"] (OIDC scopes are not part of scp). */
  scopes: string[];
  method: ClientAuthMethod;
}

export async function issueDelegatedToken(ctx: SandboxContext, t: DelegatedTokenInput): Promise<string> {
  const u = t.user;
  const payload: JWTPayload = {
    aud: GRAPH_AUDIENCE,
    iss: stsIssuer(t.tenantId),
    acr: "1",
    aio: opaque(40),
    amr: ["pwd"],
    app_displayname: t.app.displayName,
    appid: t.app.appId,
    appidacr: appidacr(t.method),
    ...(u.surname ? { family_name: u.surname } : {}),
    ...(u.givenName ? { given_name: u.givenName } : {}),
    idtyp: "user",
    ipaddr: "127.0.0.1",
    name: u.displayName,
    oid: u.id,
    rh: opaque(30),
    scp: t.scopes.join(" "),
    sub: pairwiseSub(u.id, t.app.appId),
    tenant_region_scope: "EU",
    tid: t.tenantId,
    unique_name: u.userPrincipalName,
    upn: u.userPrincipalName,
    uti: opaque(16),
    ver: "1.0",
  };
  return sign(ctx, payload, ACCESS_TOKEN_SECONDS, { nonce: opaque(32) });
}

export interface IdTokenInput {
  tenantId: string;
  app: AppRegistration;
  user: User;
  nonce?: string;
  scopes: string[];
}

/** v2.0 ID token (id-token-claims-reference): name/preferred_username need `profile`, email needs `email`/`profile`. */
export async function issueIdToken(ctx: SandboxContext, t: IdTokenInput): Promise<string> {
  const u = t.user;
  const profile = t.scopes.includes("profile");
  const payload: JWTPayload = {
    aud: t.app.appId,
    iss: v2Issuer(ctx, t.tenantId),
    ...(t.nonce ? { nonce: t.nonce } : {}),
    ...(profile ? { name: u.displayName, preferred_username: u.userPrincipalName } : {}),
    ...((profile || t.scopes.includes("email")) && (u.mail ?? u.userPrincipalName) ? { email: u.mail ?? u.userPrincipalName } : {}),
    oid: u.id,
    rh: opaque(30),
    sub: pairwiseSub(u.id, t.app.appId),
    tid: t.tenantId,
    uti: opaque(16),
    ver: "2.0",
  };
  return sign(ctx, payload, ID_TOKEN_SECONDS);
}

/** client_info as MSAL expects it: base64url of {"uid": oid, "utid": tid}. */
export function clientInfo(oid: string, tid: string): string {
  return Buffer.from(JSON.stringify({ uid: oid, utid: tid })).toString("base64url");
}

type VerifyResult = Awaited<ReturnType<SandboxContext["verifyGraphToken"]>>;

/**
 * ctx.verifyGraphToken: signature, audience, issuer and expiry (on ctx.clock, no skew allowance).
 * Messages: "Access token is empty." and "Access token has expired or is not yet valid." are the
 * texts Graph returns (observed); the others are the sandbox's wording (unconfirmed).
 */
export function graphTokenVerifier(getCtx: () => SandboxContext): (authorization: string | undefined) => Promise<VerifyResult> {
  return async (authorization) => {
    const ctx = getCtx();
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
    if (!m?.[1]) return { ok: false, message: "Access token is empty." };
    const token = m[1];
    try {
      const header = decodeProtectedHeader(token);
      if (header.kid !== ctx.signing.kid) return { ok: false, message: "Access token validation failure. Invalid signing key." };
      const { payload } = await jwtVerify(token, createPublicKey(ctx.signing.privateKey), {
        algorithms: ["RS256"],
        audience: GRAPH_AUDIENCES,
        currentDate: new Date(ctx.clock.now()),
        clockTolerance: 0,
      });
      const tid = typeof payload.tid === "string" ? payload.tid : "";
      if (!tid || payload.iss !== stsIssuer(tid)) return { ok: false, message: "Access token validation failure. Invalid issuer." };
      const idtyp = payload.idtyp === "app" ? "app" : "user";
      const claims: TokenClaims = {
        tid,
        appid: String(payload.appid ?? ""),
        oid: String(payload.oid ?? ""),
        idtyp,
        ...(Array.isArray(payload.roles) ? { roles: payload.roles.map(String) } : idtyp === "app" ? { roles: [] } : {}),
        ...(typeof payload.scp === "string" ? { scp: payload.scp } : {}),
        ...(typeof payload.upn === "string" ? { upn: payload.upn } : {}),
      };
      return { ok: true, claims };
    } catch (e) {
      if (e instanceof joseErrors.JWTExpired) return { ok: false, message: "Access token has expired or is not yet valid." };
      if (e instanceof joseErrors.JWTClaimValidationFailed) {
        if (e.claim === "nbf") return { ok: false, message: "Access token has expired or is not yet valid." };
        if (e.claim === "aud") return { ok: false, message: "Access token validation failure. Invalid audience." };
        return { ok: false, message: `Access token validation failure. Invalid ${e.claim} claim.` };
      }
      if (e instanceof joseErrors.JWSSignatureVerificationFailed) return { ok: false, message: "Access token validation failure. Invalid signature." };
      return { ok: false, message: "IDX14100: JWT is not well formed." };
    }
  };
}
