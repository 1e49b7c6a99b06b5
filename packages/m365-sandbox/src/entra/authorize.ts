/**
 * GET/POST /{tenant}/oauth2/v2.0/authorize — the authorization code flow's browser half
 * (learn "v2-oauth2-auth-code-flow"): pick a sandbox user, type its password, consent if needed,
 * then back to the app with ?code&state. Errors before the redirect URI is trusted (unknown tenant
 * or app, redirect URI mismatch) are shown as a page; later ones go back to the app as
 * ?error&error_description, as Entra does. Honours prompt=login|consent|select_account|none and login_hint.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { SandboxContext } from "../context";
import { readBody, sendHtml, type Ctx } from "../http";
import type { User } from "../model";
import { adminConsentContinue, adminConsentAccept, adminConsentError } from "./admin-consent";
import { canConsentDelegatedForAll, consentedScopes, findApp, findServicePrincipal, findTenant, findUserByUpn, MULTI_TENANT_SEGMENTS, addDelegatedGrant, signInUsers } from "./directory";
import { AadException, aadTimestamp } from "./errors";
import { approvalRequiredPage, consentPage, errorPage, signInPage } from "./pages";
import { currentSession, findRedirectApp, sendToApp, startSession } from "./redirects";
import { GRAPH_DELEGATED, parseScopes, staticScopes } from "./scopes";
import { entraState, pruneEntraState, type Flow } from "./state";

/** Authorization codes are short-lived ("about 10 minutes", learn "v2-oauth2-auth-code-flow"). */
const CODE_MS = 10 * 60 * 1000;
const FLOW_MS = 30 * 60 * 1000;

/** ?error=…&error_description="AADSTSnnnn: …" as Entra appends to the redirect URI. */
export function errorParams(ctx: SandboxContext, error: string, code: number, message: string, extra: Record<string, string> = {}): Record<string, string> {
  const trace = randomBytes(16).toString("hex");
  return {
    error,
    error_description: `AADSTS${code}: ${message} Trace ID: ${trace} Correlation ID: ${randomBytes(16).toString("hex")} Timestamp: ${aadTimestamp(ctx.clock.now())}`,
    error_uri: `${ctx.urls.loginUrl}/error?code=${code}`,
    ...extra,
  };
}

export function showError(c: Ctx, status: number, code: number, message: string, details: Record<string, string> = {}): void {
  sendHtml(c.res, status, errorPage(code, message, details), { "cache-control": "no-store" });
}

/** Validates what must hold before anything is sent to the redirect URI. Returns undefined after answering with a page. */
export function startFlow(ctx: SandboxContext, c: Ctx, kind: Flow["kind"]): { flow: Flow; id: string } | undefined {
  pruneEntraState(ctx);
  const q = c.url.searchParams;
  const segment = c.params.tenant ?? "";
  const multi = MULTI_TENANT_SEGMENTS.includes(segment.toLowerCase());
  const tenant = multi ? undefined : findTenant(ctx.store, segment);
  if (!multi && !tenant) return void showError(c, 400, 90002, `Tenant '${segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
  const clientId = q.get("client_id");
  if (!clientId) return void showError(c, 400, 900144, "The request body must contain the following parameter: 'client_id'.");
  const app = findApp(ctx.store, clientId);
  const visible = app && (!tenant || app.tenantId === tenant.id || app.signInAudience === "AzureADMultipleOrgs");
  if (!app || !visible) {
    return void showError(c, 400, 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant?.domains[0] ?? segment}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`);
  }
  const redirectUri = findRedirectApp(app, q.get("redirect_uri"));
  if (!redirectUri) {
    return void showError(c, 400, 50011, `The redirect URI '${q.get("redirect_uri") ?? ""}' specified in the request does not match the redirect URIs configured for the application '${app.appId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.`, { "Redirect URI": q.get("redirect_uri") ?? "(none)" });
  }
  const mode = q.get("response_mode") ?? "query";
  const flow: Flow = {
    kind,
    segment,
    ...(tenant ? { tenantId: tenant.id } : {}),
    appId: app.appId,
    redirectUri,
    responseMode: mode === "form_post" || mode === "fragment" ? mode : "query",
    ...(q.get("state") !== null ? { state: q.get("state")! } : {}),
    scopes: [],
    expiresAt: ctx.clock.now() + FLOW_MS,
  };
  const back = (error: string, code: number, message: string) => void sendToApp(c.res, flow, errorParams(ctx, error, code, message));
  if (kind === "authorize") {
    if (q.get("response_type") !== "code") return back("unsupported_response_type", 700054, "response_type 'id_token' is not enabled for the application. Only response_type=code is supported by the sandbox.");
    try {
      const parsed = parseScopes(q.get("scope"), ctx.urls.graphUrl, tenant?.domains[0] ?? segment);
      flow.scopes = [...new Set([...(parsed.isDefault ? staticScopes(app) : []), ...parsed.scopes])];
    } catch (e) {
      if (e instanceof AadException) return back(e.aad.error, e.aad.code, e.aad.message);
      throw e;
    }
    const challenge = q.get("code_challenge");
    const method = q.get("code_challenge_method") ?? (challenge ? "plain" : undefined);
    if (challenge) {
      if (method !== "S256" && method !== "plain") return back("invalid_request", 501491, "Invalid code_challenge_method. Supported values: S256, plain.");
      if (!/^[A-Za-z0-9._~-]{43,128}$/.test(challenge)) return back("invalid_request", 501493, "Invalid size of code_challenge parameter.");
      flow.codeChallenge = challenge;
      flow.codeChallengeMethod = method;
    }
    const nonce = q.get("nonce");
    if (nonce) flow.nonce = nonce;
  } else {
    flow.scopeParam = q.get("scope") ?? "https://graph.microsoft.com/.default";
  }
  const prompt = q.get("prompt");
  if (prompt && !["login", "consent", "select_account", "none", "admin_consent"].includes(prompt)) return back("invalid_request", 90023, `Unsupported 'prompt' value '${prompt}'.`);
  if (prompt) flow.prompt = prompt;
  const hint = q.get("login_hint");
  if (hint) flow.loginHint = hint;
  const id = randomBytes(18).toString("base64url");
  entraState(ctx).flows.set(id, flow);
  return { flow, id };
}

export function showSignIn(ctx: SandboxContext, c: Ctx, flow: Flow, id: string, opts: { error?: string; offerSession?: boolean } = {}): void {
  const app = findApp(ctx.store, flow.appId);
  const session = opts.offerSession ? currentSession(ctx, c.req, flow.tenantId) : undefined;
  const sessionUser = session ? ctx.store.users.get(session.userId) : undefined;
  sendHtml(
    c.res,
    200,
    signInPage({
      action: c.url.pathname,
      flowId: id,
      appName: app?.displayName ?? flow.appId,
      users: signInUsers(ctx.store, flow.tenantId),
      ...(flow.loginHint ? { selected: flow.loginHint } : {}),
      ...(opts.error ? { error: opts.error } : {}),
      ...(sessionUser ? { sessionUser } : {}),
    }),
    { "cache-control": "no-store" },
  );
}

export async function handleAuthorizeGet(ctx: SandboxContext, c: Ctx): Promise<void> {
  const started = startFlow(ctx, c, "authorize");
  if (!started) return;
  const { flow, id } = started;
  const session = currentSession(ctx, c.req, flow.tenantId);
  const sessionUser = session ? ctx.store.users.get(session.userId) : undefined;
  const hintMatches = !flow.loginHint || (sessionUser && sessionUser.userPrincipalName.toLowerCase() === flow.loginHint.toLowerCase());
  if (flow.prompt === "none") {
    if (!sessionUser || !hintMatches) {
      return sendToApp(c.res, flow, errorParams(ctx, "login_required", 50058, "A silent sign-in request was sent but no user is signed in."));
    }
    flow.userId = sessionUser.id;
    return continueFlow(ctx, c, flow, id);
  }
  if (flow.prompt === "select_account") return showSignIn(ctx, c, flow, id, { offerSession: true });
  if (sessionUser && hintMatches && flow.prompt !== "login") {
    flow.userId = sessionUser.id;
    return continueFlow(ctx, c, flow, id);
  }
  showSignIn(ctx, c, flow, id);
}

/** After sign-in: the consent check (authorize) or the admin consent page, then the answer to the app. */
export function continueFlow(ctx: SandboxContext, c: Ctx, flow: Flow, id: string): void {
  const user = flow.userId ? ctx.store.users.get(flow.userId) : undefined;
  const app = findApp(ctx.store, flow.appId);
  if (!user || !app) return showSignIn(ctx, c, flow, id);
  if (app.tenantId !== user.tenantId && app.signInAudience !== "AzureADMultipleOrgs") {
    return showError(c, 400, 50020, `User account '${user.userPrincipalName}' from identity provider 'https://sts.windows.net/${user.tenantId}/' does not exist in tenant '${app.tenantId}' and cannot access the application '${app.appId}'(${app.displayName}) in that tenant.`);
  }
  flow.tenantId = user.tenantId;
  if (flow.kind === "adminconsent") return adminConsentContinue(ctx, c, flow, id, user, app);
  const consented = consentedScopes(ctx.store, user.tenantId, app.appId, user.id);
  const missing = flow.scopes.filter((s) => !consented.has(s));
  if (missing.length === 0 && flow.prompt !== "consent") return issueCode(ctx, c, flow, user);
  if (flow.prompt === "none") {
    return sendToApp(c.res, flow, { ...errorParams(ctx, "consent_required", 65001, `The user or administrator has not consented to use the application with ID '${app.appId}' named '${app.displayName}'. Send an interactive authorization request for this user and resource.`), suberror: "consent_required" });
  }
  const toShow = flow.prompt === "consent" ? flow.scopes : missing;
  const adminOnly = toShow.filter((s) => GRAPH_DELEGATED[s]?.adminOnly);
  const admin = canConsentDelegatedForAll(ctx.store, user);
  if (adminOnly.length && !admin) {
    return sendHtml(c.res, 200, approvalRequiredPage({ action: c.url.pathname, flowId: id, appName: app.displayName, user, detail: `${app.displayName} needs permission to access resources in your organization that only an admin can grant (${adminOnly.join(", ")}). Please ask an admin to grant permission to this app before you can use it.` }), { "cache-control": "no-store" });
  }
  sendHtml(
    c.res,
    200,
    consentPage({
      action: c.url.pathname,
      flowId: id,
      appName: app.displayName,
      user,
      permissions: toShow.map((s) => ({ name: s, description: GRAPH_DELEGATED[s]?.description ?? s, kind: "delegated" })),
      offerOrgConsent: admin,
      admin,
    }),
    { "cache-control": "no-store" },
  );
}

function issueCode(ctx: SandboxContext, c: Ctx, flow: Flow, user: User): void {
  const code = `1.A${randomBytes(96).toString("base64url")}`;
  entraState(ctx).codes.set(code, {
    tenantId: user.tenantId,
    appId: flow.appId,
    userId: user.id,
    redirectUri: flow.redirectUri,
    scopes: flow.scopes,
    ...(flow.nonce ? { nonce: flow.nonce } : {}),
    ...(flow.codeChallenge ? { codeChallenge: flow.codeChallenge, codeChallengeMethod: flow.codeChallengeMethod } : {}),
    expiresAt: ctx.clock.now() + CODE_MS,
    redeemed: false,
  });
  sendToApp(c.res, flow, { code, session_state: randomBytes(16).toString("hex") });
}

/** POST back from the sign-in, consent and approval pages (authorize and admin consent alike). */
export async function handleFlowPost(ctx: SandboxContext, c: Ctx): Promise<void> {
  const form = new URLSearchParams((await readBody(c.req, 64 * 1024)).toString("utf8"));
  const id = form.get("flow") ?? "";
  const flow = entraState(ctx).flows.get(id);
  if (!flow || flow.expiresAt < ctx.clock.now()) {
    return showError(c, 400, 50196, "Your sign-in session has expired or was already used. Go back to the application and start signing in again.");
  }
  const action = form.get("action");
  const app = findApp(ctx.store, flow.appId);
  if (action === "signin") {
    const upn = form.get("username") ?? "";
    const user = findUserByUpn(ctx.store, upn, flow.tenantId);
    const canSignIn = user && signInUsers(ctx.store, flow.tenantId).some((u) => u.id === user.id);
    if (!user || !canSignIn || user.password !== (form.get("password") ?? "")) {
      // AADSTS50126 wording, shown on the page as Entra does rather than sent to the app.
      return showSignIn(ctx, c, flow, id, { error: "Your account or password is incorrect. Pick the account again and type its password. (AADSTS50126)" });
    }
    startSession(ctx, c.res, user.id, user.tenantId);
    flow.userId = user.id;
    return continueFlow(ctx, c, flow, id);
  }
  if (action === "continue") {
    const s = currentSession(ctx, c.req, flow.tenantId);
    if (!s) return showSignIn(ctx, c, flow, id, { error: "You are no longer signed in. Pick an account and type its password." });
    flow.userId = s.userId;
    return continueFlow(ctx, c, flow, id);
  }
  if (action === "other") {
    delete flow.userId;
    return showSignIn(ctx, c, flow, id);
  }
  const user = flow.userId ? ctx.store.users.get(flow.userId) : undefined;
  if (!user || !app) return showSignIn(ctx, c, flow, id);
  entraState(ctx).flows.delete(id);
  if (action === "cancel") {
    if (flow.kind === "adminconsent") {
      return sendToApp(c.res, flow, adminConsentError(ctx, flow, "consent_required", 65004, "The resource owner or authorization server denied the request."));
    }
    return sendToApp(c.res, flow, { ...errorParams(ctx, "access_denied", 65004, "User declined to consent to access the app."), error_subcode: "cancel" });
  }
  if (action === "return") {
    if (flow.kind === "adminconsent") return sendToApp(c.res, flow, adminConsentError(ctx, flow, "consent_required", 90094, "The grant requires admin permission."));
    return sendToApp(c.res, flow, errorParams(ctx, "consent_required", 90094, "The grant requires admin permission."));
  }
  if (action === "accept") {
    if (flow.kind === "adminconsent") return adminConsentAccept(ctx, c, flow, user, app);
    const org = form.get("consent_org") === "true" && canConsentDelegatedForAll(ctx.store, user);
    if (!findServicePrincipal(ctx.store, user.tenantId, app.appId)) {
      // Consent creates the enterprise app (service principal) in the user's tenant.
      const spId = randomUUID();
      ctx.store.servicePrincipals.set(spId, { id: spId, appId: app.appId, tenantId: user.tenantId, displayName: app.displayName });
    }
    addDelegatedGrant(ctx.store, { tenantId: user.tenantId, appId: app.appId, consentType: org ? "AllPrincipals" : "Principal", ...(org ? {} : { principalId: user.id }), scopes: flow.scopes }, randomUUID);
    return issueCode(ctx, c, flow, user);
  }
  showError(c, 400, 900144, "The form did not say what to do (action).");
}
