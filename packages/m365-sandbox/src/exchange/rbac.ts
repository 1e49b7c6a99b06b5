/**
 * RBAC for Applications in Exchange Online (exchange/permissions-exo/application-rbac):
 * New-ServicePrincipal registers the Entra enterprise app with Exchange; New-ManagementScope
 * defines a RecipientRestrictionFilter; New-ManagementRoleAssignment -App -Role "Application Mail.Send"
 * [-CustomResourceScope <scope>] grants the role, tenant-wide when no scope is given.
 * Test-ServicePrincipalAuthorization reports, per assignment, whether a mailbox is InScope.
 */
import type { Guid, ManagementRoleAssignment, Store } from "../model";
import { matchesFilter, OpathError } from "./opath";
import { recipientOf } from "./recipients";

/**
 * The application roles Exchange Online offers, with the permissions each one grants: the "Supported
 * Application Roles" table of learn "Role Based Access Control for Applications in Exchange Online"
 * (exchange/permissions-exo/application-rbac). Any other -Role is not an application role.
 */
export const APPLICATION_ROLE_PERMISSIONS: Record<string, string[]> = {
  "Application Mail.Read": ["Mail.Read"],
  "Application Mail.ReadBasic": ["Mail.ReadBasic"],
  "Application Mail.ReadWrite": ["Mail.ReadWrite"],
  "Application Mail.Send": ["Mail.Send"],
  "Application MailboxSettings.Read": ["MailboxSettings.Read"],
  "Application MailboxSettings.ReadWrite": ["MailboxSettings.ReadWrite"],
  "Application Calendars.Read": ["Calendars.Read"],
  "Application Calendars.ReadWrite": ["Calendars.ReadWrite"],
  "Application Contacts.Read": ["Contacts.Read"],
  "Application Contacts.ReadWrite": ["Contacts.ReadWrite"],
  "Application Mail Full Access": ["Mail.ReadWrite", "Mail.Send"],
  "Application Exchange Full Access": ["Mail.ReadWrite", "Mail.Send", "MailboxSettings.ReadWrite", "Calendars.ReadWrite", "Contacts.ReadWrite"],
  "Application EWS.AccessAsApp": ["EWS.AccessAsApp"],
};

/** The documented role name for `name` (Exchange matches role names case-insensitively), or undefined. */
export function applicationRole(name: string): string | undefined {
  return Object.keys(APPLICATION_ROLE_PERMISSIONS).find((r) => r.toLowerCase() === name.trim().toLowerCase());
}

/** Permissions that include another one's rights (graph/permissions-reference): Mail.ReadWrite reads too. */
const IMPLIED_BY: Record<string, string[]> = { "Mail.Read": ["Mail.ReadWrite"], "Mail.ReadBasic": ["Mail.Read", "Mail.ReadWrite"] };

function roleGrants(role: string, permission: string): boolean {
  const granted = APPLICATION_ROLE_PERMISSIONS[applicationRole(role) ?? ""] ?? [];
  return [permission, ...(IMPLIED_BY[permission] ?? [])].some((p) => granted.includes(p));
}

export interface AuthorizationRow {
  roleName: string;
  grantedPermissions: string;
  allowedResourceScope: string;
  scopeType: "Organization" | "CustomRecipientScope";
  inScope: boolean;
  /** Set when the scope's filter cannot be evaluated (unknown property, bad syntax, missing scope). */
  error?: string;
}

export function assignmentsFor(store: Store, tenantId: Guid, appId: Guid): ManagementRoleAssignment[] {
  return store.roleAssignments.filter((a) => a.tenantId === tenantId && a.appId.toLowerCase() === appId.toLowerCase());
}

/** Test-ServicePrincipalAuthorization -Identity <app> -Resource <mailbox>. */
export function testServicePrincipalAuthorization(store: Store, tenantId: Guid, appId: Guid, mailboxId: Guid): AuthorizationRow[] {
  const r = recipientOf(store, mailboxId);
  return assignmentsFor(store, tenantId, appId).map((a) => {
    const granted = (APPLICATION_ROLE_PERMISSIONS[applicationRole(a.role) ?? ""] ?? []).join(", ");
    if (!a.customResourceScope) {
      return { roleName: a.role, grantedPermissions: granted, allowedResourceScope: "Organization", scopeType: "Organization", inScope: !!r };
    }
    const scope = store.managementScopes.find((s) => s.tenantId === tenantId && s.name.toLowerCase() === a.customResourceScope!.toLowerCase());
    const row: AuthorizationRow = { roleName: a.role, grantedPermissions: granted, allowedResourceScope: a.customResourceScope, scopeType: "CustomRecipientScope", inScope: false };
    if (!scope) return { ...row, error: `The management scope '${a.customResourceScope}' couldn't be found.` };
    if (!r) return row;
    try {
      return { ...row, inScope: matchesFilter(store, scope.recipientRestrictionFilter, r) };
    } catch (e) {
      if (e instanceof OpathError) return { ...row, error: e.message };
      throw e;
    }
  });
}

export interface RbacDecision {
  /** The app holds at least one assignment of the role (anywhere). */
  assigned: boolean;
  /** One of those assignments covers this mailbox. */
  inScope: boolean;
}

export function evaluateRbac(store: Store, tenantId: Guid, appId: Guid, mailboxId: Guid, permission: string): RbacDecision {
  const rows = testServicePrincipalAuthorization(store, tenantId, appId, mailboxId).filter((row) => roleGrants(row.roleName, permission));
  return { assigned: rows.length > 0, inScope: rows.some((row) => row.inScope) };
}
