/**
 * POST /{tenant}/oauth2/v2.0/token — client_credentials, authorization_code (+ PKCE) and
 * refresh_token grants (learn "v2-oauth2-client-creds-grant-flow", "v2-oauth2-auth-code-flow",
 * "refresh-tokens"). Errors are AADSTS JSON (errors.ts).
 */
import { createHash, randomBytes } from "node:crypto";
import type { SandboxContext } from "../context";
import { readBody, sendJson, type Ctx } from "../http";
import type { AppRegistration, ServicePrincipal, Tenant, User } from "../model";
import { authenticateClient } from "./client-auth";
import { consentedScopes, findApp, grantedRoles, MULTI_TENANT_SEGMENTS, requireAppInTenant, requireTenant } from "./directory";
import { AAD, AadException, sendAadError } from "./errors";
import { OIDC_SCOPES, orderScopes, parseScopes } from "./scopes";
import { entraState, pruneEntraState, type RefreshGrant } from "./state";
import { ACCESS_TOKEN_SECONDS, clientInfo, issueAppToken, issueDelegatedToken, issueIdToken, type ClientAuthMethod } from "./tokens";

/** Refresh tokens of confidential clients live 90 days (sliding), learn "refresh-tokens". */
const REFRESH_TOKEN_MS = 90 * 24 * 3600 * 1000;

export async function handleToken(ctx: SandboxContext, c: Ctx): Promise<void> {
  const correlationId = headerValue(c.req.headers["client-request-id"]);
  try {
    const form = new URLSearchParams((await readBody(c.req, 1024 * 1024)).toString("utf8"));
    applyBasicAuth(form, c.req.headers.authorization);
    pruneEntraState(ctx);
    const segment = c.params.tenant ?? "";
    const grant = form.get("grant_type");
    if (!grant) throw AAD.missingParam("grant_type");
    const clientId = form.get("client_id");
    if (!clientId) throw AAD.missingParam("client_id");
    let body: Record<string, unknown>;
    if (grant === "client_credentials") body = await clientCredentials(ctx, segment, clientId, form);
    else if (grant === "authorization_code") body = await authorizationCode(ctx, segment, clientId, form);
    else if (grant === "refresh_token") body = await refreshToken(ctx, segment, clientId, form);
    else throw AAD.unsupportedGrant(grant);
    sendJson(c.res, 200, body, { "cache-control": "no-store, no-cache", pragma: "no-cache" });
  } catch (e) {
    if (e instanceof AadException) return sendAadError(ctx, c.res, e.aad, correlationId);
    throw e;
  }
}

/**
 * client_secret_basic (RFC 6749 §2.3.1): openid-client, and so next-auth, sends the client id and
 * secret form-urlencoded inside an Authorization: Basic header instead of the body. Entra accepts both.
 */
function applyBasicAuth(form: URLSearchParams, authorization: string | undefined): void {
  const m = /^Basic\s+(\S+)$/i.exec(authorization ?? "");
  if (!m?.[1]) return;
  const decoded = Buffer.from(m[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) throw new AadException({ status: 401, error: "invalid_client", code: 7000216, message: "The Authorization header is not a valid Basic client credential." });
  const unform = (s: string) => decodeURIComponent(s.replace(/\+/g, " "));
  const id = unform(decoded.slice(0, colon));
  const secret = unform(decoded.slice(colon + 1));
  const given = form.get("client_id");
  if (given && given !== id) throw new AadException({ status: 400, error: "invalid_request", code: 900144, message: "The client_id in the body does not match the Authorization header." });
  form.set("client_id", id);
  if (!form.get("client_secret") && !form.get("client_assertion")) form.set("client_secret", secret);
}

function headerValue(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}

/** The token endpoint under every name of the tenant: a client assertion may name any of them. */
function tokenEndpoints(ctx: SandboxContext, segment: string, tenant: Tenant): string[] {
  const segs = [segment, tenant.id, ...tenant.domains];
  return segs.map((s) => `${ctx.urls.loginUrl}/${s}/oauth2/v2.0/token`);
}

function tenantFor(ctx: SandboxContext, segment: string, grantTenantId?: string): Tenant {
  if (MULTI_TENANT_SEGMENTS.includes(segment.toLowerCase())) {
    // "common"/"organizations" identify no tenant: fine for code/refresh redemption (the grant names
    // the tenant), not for client credentials. AADSTS50059 is the observed answer (wording unconfirmed).
    const t = grantTenantId ? ctx.store.tenants.get(grantTenantId) : undefined;
    if (!t) throw new AadException({ status: 400, error: "invalid_request", code: 50059, message: "No tenant-identifying information found in either the request or implied by any provided credentials." });
    return t;
  }
  return requireTenant(ctx, segment);
}

async function clientCredentials(ctx: SandboxContext, segment: string, clientId: string, form: URLSearchParams) {
  const tenant = tenantFor(ctx, segment);
  const { app, sp } = requireAppInTenant(ctx, tenant, clientId);
  const tenantName = tenant.domains[0] ?? tenant.id;
  const parsed = parseScopes(form.get("scope"), ctx.urls.graphUrl, tenantName);
  const items = (form.get("scope") ?? "").split(/\s+/).filter(Boolean);
  if (!parsed.isDefault || items.length !== 1) {
    const offending = items.find((i) => !i.endsWith("/.default")) ?? items.join(" ");
    throw AAD.notDefaultScope(offending);
  }
  const method = await authenticateClient(ctx, app, form, tokenEndpoints(ctx, segment, tenant));
  if (!sp) {
    throw new AadException({ status: 401, error: "invalid_client", code: 7000229, message: `The client application ${app.appId} is missing service principal in the tenant ${tenant.id}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119` });
  }
  // Entra issues the token even with no application permission consented — then without a roles
  // claim — and Graph answers 403 (learn "v2-oauth2-client-creds-grant-flow", PR MicrosoftDocs/azure-docs#81503).
  const roles = grantedRoles(ctx.store, tenant.id, sp, app.appId);
  const access = await issueAppToken(ctx, { tenantId: tenant.id, app, spObjectId: sp.id, roles, method });
  return { token_type: "Bearer", expires_in: ACCESS_TOKEN_SECONDS, ext_expires_in: ACCESS_TOKEN_SECONDS, access_token: access };
}

function requireUser(ctx: SandboxContext, userId: string): User {
  const user = ctx.store.users.get(userId);
  if (!user) throw AAD.refreshRevoked();
  if (!user.accountEnabled) throw AAD.userDisabled();
  return user;
}

async function authorizationCode(ctx: SandboxContext, segment: string, clientId: string, form: URLSearchParams) {
  const codeValue = form.get("code");
  if (!codeValue) throw AAD.missingParam("code");
  const code = entraState(ctx).codes.get(codeValue);
  if (!code) throw AAD.badCode();
  const tenant = tenantFor(ctx, segment, code.tenantId);
  if (tenant.id !== code.tenantId) throw AAD.badCode();
  const { app } = appForDelegated(ctx, tenant, clientId);
  if (code.appId !== app.appId) throw AAD.badCode();
  if (code.redeemed) throw AAD.codeRedeemed();
  if (code.expiresAt <= ctx.clock.now()) throw AAD.codeExpired();
  const redirectUri = form.get("redirect_uri");
  if (!redirectUri) throw AAD.missingParam("redirect_uri");
  // The redirect_uri must be the one the code was sent to (RFC 6749 §4.1.3); Entra's code for this is unconfirmed.
  if (redirectUri !== code.redirectUri) throw AAD.redirectMismatch(app.appId);
  if (code.codeChallenge) {
    const verifier = form.get("code_verifier") ?? "";
    const computed = code.codeChallengeMethod === "plain" ? verifier : createHash("sha256").update(verifier).digest("base64url");
    if (!verifier || computed !== code.codeChallenge) throw AAD.pkceMismatch();
  }
  const method = await authenticateClient(ctx, app, form, tokenEndpoints(ctx, segment, tenant));
  code.redeemed = true;
  const user = requireUser(ctx, code.userId);
  const requested = form.get("scope") ? parseScopes(form.get("scope"), ctx.urls.graphUrl, tenant.id).scopes : code.scopes;
  return delegatedResponse(ctx, tenant, app, user, [...new Set([...code.scopes, ...requested])], method, code.nonce);
}

async function refreshToken(ctx: SandboxContext, segment: string, clientId: string, form: URLSearchParams) {
  const value = form.get("refresh_token");
  if (!value) throw AAD.missingParam("refresh_token");
  const rt = entraState(ctx).refreshTokens.get(value);
  if (!rt) throw AAD.badRefresh();
  const tenant = tenantFor(ctx, segment, rt.tenantId);
  if (tenant.id !== rt.tenantId) throw AAD.badRefresh();
  const { app } = appForDelegated(ctx, tenant, clientId);
  if (rt.appId !== app.appId) throw AAD.badRefresh();
  if (rt.revoked) throw AAD.refreshRevoked();
  if (rt.expiresAt <= ctx.clock.now()) throw AAD.refreshExpired();
  const method = await authenticateClient(ctx, app, form, tokenEndpoints(ctx, segment, tenant));
  const user = requireUser(ctx, rt.userId);
  const requested = form.get("scope") ? parseScopes(form.get("scope"), ctx.urls.graphUrl, tenant.id) : { scopes: rt.scopes, isDefault: false };
  return delegatedResponse(ctx, tenant, app, user, requested.scopes, method, undefined, requested.isDefault);
}

/** For delegated grants the app may be multi-tenant without a service principal yet in "common" flows. */
function appForDelegated(ctx: SandboxContext, tenant: Tenant, clientId: string): { app: AppRegistration; sp?: ServicePrincipal } {
  const app = findApp(ctx.store, clientId);
  if (app && app.signInAudience === "AzureADMultipleOrgs" && app.tenantId !== tenant.id) return { app };
  return requireAppInTenant(ctx, tenant, clientId);
}

async function delegatedResponse(
  ctx: SandboxContext,
  tenant: Tenant,
  app: AppRegistration,
  user: User,
  requested: string[],
  method: ClientAuthMethod,
  nonce?: string,
  isDefault = false,
) {
  const consented = consentedScopes(ctx.store, tenant.id, app.appId, user.id);
  const missing = requested.filter((s) => !consented.has(s));
  // Observed shape for a delegated token request beyond consent: 400 invalid_grant, AADSTS65001, suberror consent_required.
  if (missing.length) throw AAD.noConsent(app.appId, app.displayName);
  // Entra puts every consented permission of the resource into scp (incremental consent accumulates);
  // offline_access is not a Graph scp value, and OIDC scopes appear only if requested.
  const graphScopes = orderScopes([...consented].filter((s) => !OIDC_SCOPES.includes(s)));
  const oidc = OIDC_SCOPES.filter((s) => requested.includes(s) || (isDefault && consented.has(s) && s !== "offline_access"));
  const scp = [...graphScopes, ...oidc.filter((s) => s !== "offline_access")];
  const access = await issueDelegatedToken(ctx, { tenantId: tenant.id, app, user, scopes: scp, method });
  const body: Record<string, unknown> = {
    token_type: "Bearer",
    // Short form, as LIBRARY-NOTES requires for MSAL's cache to match silent requests.
    scope: orderScopes([...graphScopes, ...oidc]).join(" "),
    expires_in: ACCESS_TOKEN_SECONDS,
    ext_expires_in: ACCESS_TOKEN_SECONDS,
    access_token: access,
  };
  if (requested.includes("offline_access")) {
    const token = newRefreshToken();
    const grant: RefreshGrant = { tenantId: tenant.id, appId: app.appId, userId: user.id, scopes: requested, expiresAt: ctx.clock.now() + REFRESH_TOKEN_MS, revoked: false };
    // A used refresh token stays valid until it expires or is revoked: Entra does not invalidate it on
    // redemption, it just hands out a new one each time (learn "refresh-tokens").
    entraState(ctx).refreshTokens.set(token, grant);
    body.refresh_token = token;
  }
  if (requested.includes("openid")) {
    body.id_token = await issueIdToken(ctx, { tenantId: tenant.id, app, user, scopes: requested, ...(nonce ? { nonce } : {}) });
  }
  body.client_info = clientInfo(user.id, tenant.id);
  return body;
}

/** Opaque, long, URL-safe — like Entra's (which are encrypted blobs starting "0.A…"). */
function newRefreshToken(): string {
  return `0.A${randomBytes(180).toString("base64url")}`;
}
