/**
 * What the Exchange cmdlets share: Exchange-shaped errors, identity resolution inside the signed-in tenant,
 * and the objects the New-* and Get-* cmdlets output (one shape per object type, so `$x = Get-…` and
 * `$x = New-…` carry the same properties). Exchange's exact error texts are mostly unconfirmed: the
 * sandbox's wording.
 */
import { randomUUID } from "node:crypto";
import { resolveRecipient, type Recipient } from "../exchange/recipients";
import type { ApplicationAccessPolicy, ExoServicePrincipal, Group, ManagementRoleAssignment, ManagementScope } from "../model";
import { PSError } from "./errors";
import type { Session } from "./session";
import { PSObject } from "./values";

export const exoError = (message: string, exceptionType = "ManagementObjectNotFoundException", category = "NotSpecified") =>
  new PSError(message, { category, exceptionType, errorId: `[Server=SANDBOX],RequestId=${randomUUID()},TimeStamp=${new Date().toUTCString()}] [FailureCategory=Cmdlet-${exceptionType}]` });

export const notFound = (identity: string) => exoError(`The operation couldn't be performed because object '${identity}' couldn't be found on 'SANDBOX.PROD.OUTLOOK.COM'.`);

export const alreadyExists = (message: string) => exoError(message, "ADObjectAlreadyExistsException", "InvalidOperation");

export function tenantDomain(s: Session): string {
  return s.ctx.store.tenants.get(s.tenantId)?.domains[0] ?? "sandbox";
}

export function recipient(s: Session, identity: string): Recipient {
  const r = resolveRecipient(s.ctx.store, s.tenantId, identity);
  if (!r) throw notFound(identity);
  return r;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The tenant's Exchange service principal named by its app id, object id or display name (Get-ServicePrincipal -Identity). */
export function findExoServicePrincipal(s: Session, identity: string): ExoServicePrincipal | undefined {
  return s.ctx.store.exoServicePrincipals.find((x) => x.tenantId === s.tenantId && [x.appId, x.objectId, x.displayName].some((v) => same(v, identity)));
}

/**
 * -App / -Identity of a service principal. The New-ManagementRoleAssignment reference asks for "the ObjectId
 * GUID value from the output of the Get-ServicePrincipal cmdlet"; learn exchange/permissions-exo/application-rbac
 * writes `-App <ObjectID, AppID, or DisplayName>`. The sandbox accepts all three; whether Exchange refuses the
 * app id for -App is UNCONFIRMED (the pages differ). The portal emits the object id.
 */
export function appIdOf(s: Session, identity: string): string {
  const exo = findExoServicePrincipal(s, identity);
  if (exo) return exo.appId;
  throw exoError(`The service principal '${identity}' couldn't be found. Register it with New-ServicePrincipal first.`);
}

export function findScope(s: Session, name: string): ManagementScope | undefined {
  return s.ctx.store.managementScopes.find((m) => m.tenantId === s.tenantId && same(m.name, name));
}

export const servicePrincipalObject = (x: ExoServicePrincipal) =>
  new PSObject("Microsoft.Exchange.Data.Directory.Management.ServicePrincipal", { DisplayName: x.displayName, ObjectId: x.objectId, AppId: x.appId });

export const scopeObject = (m: ManagementScope) =>
  new PSObject("Microsoft.Exchange.Data.Directory.SystemConfiguration.ManagementScope", { Name: m.name, ScopeRestrictionType: "RecipientScope", Exclusive: false, RecipientRoot: null, RecipientFilter: m.recipientRestrictionFilter });

export const assignmentObject = (a: ManagementRoleAssignment) =>
  new PSObject("Microsoft.Exchange.Management.RbacTasks.ExchangeRoleAssignmentPresentationObject", { Name: a.name, Role: a.role, RoleAssigneeName: a.appId, RoleAssigneeType: "ServicePrincipal", CustomResourceScope: a.customResourceScope ?? null });

export const groupObject = (g: Group, name = g.displayName) =>
  new PSObject("Microsoft.Exchange.Data.Directory.Management.DistributionGroup", { Name: name, DisplayName: g.displayName, GroupType: g.kind === "mailEnabledSecurity" ? "Universal, SecurityEnabled" : "Universal", PrimarySmtpAddress: g.mail ?? "" });

export const policyObject = (p: ApplicationAccessPolicy) =>
  new PSObject("Microsoft.Exchange.Management.Tasks.ApplicationAccessPolicy", { ScopeName: p.scopeName, ScopeIdentity: p.scopeName, Identity: p.identity, AppId: p.appId, ScopeIdentityRaw: p.scopeId, Description: p.description ?? "", AccessRight: p.accessRight, ShardType: "All", IsValid: true });
