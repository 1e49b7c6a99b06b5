/**
 * Admin consent: GET /{tenant}/v2.0/adminconsent and the older /{tenant}/adminconsent
 * (learn "v2-admin-consent", "grant-admin-consent"). An admin signs in, reviews the app's
 * permissions and accepts (→ enterprise app + app role assignments + an AllPrincipals delegated
 * grant; back to the app with ?admin_consent=True&tenant&scope&state) or cancels. A declined consent
 * comes back in the documented error shape (entra-docs identity-platform/v2-admin-consent.md, "Error
 * response"): ?admin_consent=True&error=consent_required&error_description=AADSTS65004: The resource owner
 * or authorization server denied the request.\r\nTrace ID: …\r\nCorrelation ID: …\r\nTimestamp: …&state
 * — admin_consent=True only says the answer comes from an admin consent flow, not that consent was given.
 * A user who is not an admin gets "Need admin approval" and returns in the same shape with
 * error=consent_required and AADSTS90094 (the code for that case is the sandbox's choice: unconfirmed).
 */
import { randomUUID } from "node:crypto";
import type { SandboxContext } from "../context";
import { sendHtml, type Ctx } from "../http";
import type { AppRegistration, User } from "../model";
import { showSignIn, startFlow } from "./authorize";
import { addDelegatedGrant, canConsentAppRoles, canConsentDelegatedForAll, findServicePrincipal } from "./directory";
import { aadTimestamp } from "./errors";
import { approvalRequiredPage, consentPage } from "./pages";
import { currentSession, sendToApp } from "./redirects";
import { GRAPH_APP_ROLES, GRAPH_DELEGATED, staticRoles, staticScopes } from "./scopes";
import type { Flow } from "./state";

const ROLE_DESCRIPTIONS: Record<string, string> = {
  "Mail.Send": "Send mail as any user",
  "Mail.ReadWrite": "Read and write mail in all mailboxes",
  "Mail.Read": "Read mail in all mailboxes",
  "User.Read.All": "Read all users' full profiles",
  "ExchangeMessageTrace.Read.All": "Search the email message trace",
  "Group.Read.All": "Read all groups",
  "GroupMember.Read.All": "Read all group memberships",
};

/** An error answer of the admin consent endpoint, in the documented layout (parameters and \r\n-separated description). */
export function adminConsentError(ctx: SandboxContext, _flow: Flow, error: string, code: number, message: string): Record<string, string> {
  return {
    admin_consent: "True",
    error,
    error_description: `AADSTS${code}: ${message}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${aadTimestamp(ctx.clock.now())}`,
  };
}

export function handleAdminConsentGet(ctx: SandboxContext, c: Ctx): void {
  const started = startFlow(ctx, c, "adminconsent");
  if (!started) return;
  // Admin consent always shows the sign-in page; a signed-in admin is offered "Continue as …".
  const session = currentSession(ctx, c.req, started.flow.tenantId);
  showSignIn(ctx, c, started.flow, started.id, { offerSession: !!session });
}

export function adminConsentContinue(ctx: SandboxContext, c: Ctx, flow: Flow, id: string, user: User, app: AppRegistration): void {
  const roles = staticRoles(app);
  const scopes = staticScopes(app);
  const allowed = roles.length ? canConsentAppRoles(ctx.store, user) : canConsentDelegatedForAll(ctx.store, user);
  if (!allowed) {
    const detail = `${app.displayName} needs permission to access resources in your organization that only an admin can grant. Only a Global Administrator or Privileged Role Administrator can grant application permissions on Microsoft Graph.`;
    return sendHtml(c.res, 200, approvalRequiredPage({ action: c.url.pathname, flowId: id, appName: app.displayName, user, detail }), { "cache-control": "no-store" });
  }
  sendHtml(
    c.res,
    200,
    consentPage({
      action: c.url.pathname,
      flowId: id,
      appName: app.displayName,
      user,
      permissions: [
        ...roles.map((r) => ({ name: r.value, description: ROLE_DESCRIPTIONS[r.value] ?? r.value, kind: "application" as const })),
        ...scopes.map((s) => ({ name: s, description: GRAPH_DELEGATED[s]?.description ?? s, kind: "delegated" as const })),
      ],
      offerOrgConsent: false,
      admin: true,
    }),
    { "cache-control": "no-store" },
  );
}

export function adminConsentAccept(ctx: SandboxContext, c: Ctx, flow: Flow, user: User, app: AppRegistration): void {
  const store = ctx.store;
  const tenantId = user.tenantId;
  let sp = findServicePrincipal(store, tenantId, app.appId);
  if (!sp) {
    sp = { id: randomUUID(), appId: app.appId, tenantId, displayName: app.displayName };
    store.servicePrincipals.set(sp.id, sp);
  }
  const roles = staticRoles(app);
  for (const r of roles) {
    const exists = store.appRoleGrants.some((g) => g.tenantId === tenantId && g.principalId === sp.id && g.appRoleId === r.id);
    if (!exists) store.appRoleGrants.push({ id: randomUUID(), tenantId, principalId: sp.id, appId: app.appId, value: r.value, appRoleId: GRAPH_APP_ROLES[r.value] ?? r.id });
  }
  const scopes = staticScopes(app);
  if (scopes.length) addDelegatedGrant(store, { tenantId, appId: app.appId, consentType: "AllPrincipals", scopes }, randomUUID);
  // Entra echoes the granted permissions as full URIs (learn "v2-admin-consent", successful response).
  const granted = [...roles.map((r) => r.value), ...scopes].map((p) => `https://graph.microsoft.com/${p}`);
  sendToApp(c.res, flow, { admin_consent: "True", tenant: tenantId, scope: granted.join(" ") || (flow.scopeParam ?? "") });
}
