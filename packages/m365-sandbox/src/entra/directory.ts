/**
 * Directory look-ups the Entra side needs: tenants by id or domain, apps as seen from a tenant,
 * service principals, consented app roles and delegated grants, and who counts as an admin.
 */
import type { SandboxContext } from "../context";
import type { AppRegistration, DelegatedGrant, ServicePrincipal, Store, Tenant, User } from "../model";
import { AAD } from "./errors";

declare module "../model" {
  interface User {
    /**
     * Entra directory roles by display name, e.g. ["Global Administrator"]. Optional: when no user
     * in the tenant has roles set, the sandbox treats as Global Administrator a user whose UPN starts
     * with "admin" or whose jobTitle contains "Administrator" (a documented sandbox convention).
     */
    directoryRoles?: string[];
  }
}

/** Roles that may grant tenant-wide consent to application permissions on Microsoft Graph
 * (learn "grant-admin-consent": Global Administrator or Privileged Role Administrator; Cloud
 * Application Administrator / Application Administrator may grant delegated permissions only). */
export const GRAPH_APP_ROLE_CONSENT_ROLES = ["Global Administrator", "Privileged Role Administrator"];
export const DELEGATED_ADMIN_CONSENT_ROLES = [...GRAPH_APP_ROLE_CONSENT_ROLES, "Cloud Application Administrator", "Application Administrator"];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isGuid = (s: string) => GUID.test(s);

/** "organizations" and "common" are not tenants: they are only valid for interactive sign-in. */
export const MULTI_TENANT_SEGMENTS = ["common", "organizations"];

export function findTenant(store: Store, segment: string): Tenant | undefined {
  const s = segment.toLowerCase();
  if (isGuid(s)) return [...store.tenants.values()].find((t) => t.id.toLowerCase() === s);
  return [...store.tenants.values()].find((t) => t.domains.some((d) => d.toLowerCase() === s));
}

/** Resolves the authority's tenant segment or throws AADSTS90002. */
export function requireTenant(ctx: SandboxContext, segment: string): Tenant {
  const t = findTenant(ctx.store, segment);
  if (!t) throw AAD.tenantNotFound(segment);
  return t;
}

export function findApp(store: Store, appId: string): AppRegistration | undefined {
  return store.apps.get(appId) ?? [...store.apps.values()].find((a) => a.appId.toLowerCase() === appId.toLowerCase());
}

export function findServicePrincipal(store: Store, tenantId: string, appId: string): ServicePrincipal | undefined {
  return [...store.servicePrincipals.values()].find((sp) => sp.tenantId === tenantId && sp.appId.toLowerCase() === appId.toLowerCase());
}

/**
 * The app as the given tenant knows it: registered there, or multi-tenant with an enterprise app
 * (service principal) there. Otherwise AADSTS700016, as Entra answers.
 */
export function requireAppInTenant(ctx: SandboxContext, tenant: Tenant, clientId: string): { app: AppRegistration; sp?: ServicePrincipal } {
  const app = findApp(ctx.store, clientId);
  const sp = app ? findServicePrincipal(ctx.store, tenant.id, app.appId) : undefined;
  if (!app || (app.tenantId !== tenant.id && (app.signInAudience !== "AzureADMultipleOrgs" || !sp))) {
    throw AAD.appNotFound(clientId, tenant.domains[0] ?? tenant.id);
  }
  return sp ? { app, sp } : { app };
}

/** Admin-consented application permissions (app role assignments) of the app's SP in a tenant. */
export function grantedRoles(store: Store, tenantId: string, sp: ServicePrincipal | undefined, appId: string): string[] {
  const roles = store.appRoleGrants
    .filter((g) => g.tenantId === tenantId && (sp ? g.principalId === sp.id : false) && g.appId.toLowerCase() === appId.toLowerCase())
    .map((g) => g.value);
  return [...new Set(roles)];
}

/** Delegated scopes consented for this user and app: tenant-wide (AllPrincipals) plus the user's own grant. */
export function consentedScopes(store: Store, tenantId: string, appId: string, userId: string): Set<string> {
  const out = new Set<string>();
  for (const g of store.delegatedGrants) {
    if (g.tenantId !== tenantId || g.appId.toLowerCase() !== appId.toLowerCase()) continue;
    if (g.consentType === "AllPrincipals" || g.principalId === userId) g.scopes.forEach((s) => out.add(s));
  }
  return out;
}

/** Adds scopes to an existing grant of the same kind, or creates it (oauth2PermissionGrant semantics). */
export function addDelegatedGrant(store: Store, g: Omit<DelegatedGrant, "id">, newId: () => string): void {
  const existing = store.delegatedGrants.find(
    (x) => x.tenantId === g.tenantId && x.appId === g.appId && x.consentType === g.consentType && x.principalId === g.principalId,
  );
  if (existing) existing.scopes = [...new Set([...existing.scopes, ...g.scopes])];
  else store.delegatedGrants.push({ id: newId(), ...g });
}

export function tenantUsers(store: Store, tenantId: string): User[] {
  return [...store.users.values()].filter((u) => u.tenantId === tenantId);
}

/** Users who can sign in interactively: enabled and not a shared/room/equipment mailbox (those are sign-in-blocked). */
export function signInUsers(store: Store, tenantId?: string): User[] {
  return [...store.users.values()].filter((u) => {
    if (tenantId && u.tenantId !== tenantId) return false;
    if (!u.accountEnabled) return false;
    const mbx = store.mailboxes.get(u.id);
    return !mbx || mbx.kind === "user";
  });
}

export function directoryRoles(store: Store, user: User): string[] {
  if (user.directoryRoles) return user.directoryRoles;
  const anyRoles = tenantUsers(store, user.tenantId).some((u) => u.directoryRoles?.length);
  if (!anyRoles && (/^admin/i.test(user.userPrincipalName) || /administrator/i.test(user.jobTitle ?? ""))) return ["Global Administrator"];
  return [];
}

export function canConsentAppRoles(store: Store, user: User): boolean {
  return directoryRoles(store, user).some((r) => GRAPH_APP_ROLE_CONSENT_ROLES.includes(r));
}

export function canConsentDelegatedForAll(store: Store, user: User): boolean {
  return directoryRoles(store, user).some((r) => DELEGATED_ADMIN_CONSENT_ROLES.includes(r));
}

export function findUserByUpn(store: Store, upn: string, tenantId?: string): User | undefined {
  const s = upn.trim().toLowerCase();
  return [...store.users.values()].find(
    (u) => (!tenantId || u.tenantId === tenantId) && (u.userPrincipalName.toLowerCase() === s || u.mail?.toLowerCase() === s),
  );
}
