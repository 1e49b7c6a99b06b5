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

/** Graph permission → the Exchange application role that carries it. */
export const APPLICATION_ROLES: Record<string, string> = {
  "Mail.Send": "Application Mail.Send",
  "Mail.ReadWrite": "Application Mail.ReadWrite",
  "Mail.Read": "Application Mail.Read",
};

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
    const granted = a.role.replace(/^Application /, "");
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
  const role = APPLICATION_ROLES[permission];
  if (!role) return { assigned: false, inScope: false };
  const rows = testServicePrincipalAuthorization(store, tenantId, appId, mailboxId).filter((row) => row.roleName.toLowerCase() === role.toLowerCase());
  return { assigned: rows.length > 0, inScope: rows.some((row) => row.inScope) };
}
