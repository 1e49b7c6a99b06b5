/**
 * The Get-* and Set-* Exchange cmdlets a re-runnable restriction script needs: look the object up, then
 * change it or create it. As in Exchange, a Get-* of an object that does not exist is an error ("couldn't be
 * found"), which `-ErrorAction SilentlyContinue` hides so that `$x = Get-… -ErrorAction SilentlyContinue`
 * leaves $x $null (run.ts). Each reference's Caution that "the value $null … for the Identity parameter
 * returns all objects" is followed: no -Identity, or $null, lists every object.
 * References (learn.microsoft.com/powershell/module/exchangepowershell/…): get-serviceprincipal,
 * get-managementscope, set-managementscope, get-managementroleassignment, get-distributiongroup,
 * get-distributiongroupmember, get-applicationaccesspolicy.
 */
import { OpathError, parseOpath } from "../exchange/opath";
import { applicationRole } from "../exchange/rbac";
import { primaryAddressOf, recipientOf, type Recipient } from "../exchange/recipients";
import type { Cmdlet } from "./binding";
import { alreadyExists, assignmentObject, exoError, findExoServicePrincipal, findScope, groupObject, notFound, policyObject, recipient, scopeObject, servicePrincipalObject } from "./exchange-objects";
import type { Session } from "./session";
import { PSObject, toText, type PSValue } from "./values";

/** One object as itself, several as a list, none as $null: what a pipeline's output is. */
const many = (xs: PSValue[]): PSValue => (xs.length === 0 ? null : xs.length === 1 ? xs[0]! : xs);

const given = (v: PSValue | undefined): string | undefined => (v === undefined || v === null ? undefined : toText(v));

function group(s: Session, identity: string) {
  const r = recipient(s, identity);
  // Get-DistributionGroup finds distribution groups and mail-enabled security groups only.
  if (r.type !== "group" || (r.group.kind !== "distribution" && r.group.kind !== "mailEnabledSecurity")) throw notFound(identity);
  return r.group;
}

const RECIPIENT_TYPE: Record<Recipient["details"], string> = {
  UserMailbox: "UserMailbox", SharedMailbox: "UserMailbox", RoomMailbox: "UserMailbox", EquipmentMailbox: "UserMailbox", MailUser: "MailUser", User: "User",
  MailUniversalSecurityGroup: "MailUniversalSecurityGroup", UniversalSecurityGroup: "Group", MailUniversalDistributionGroup: "MailUniversalDistributionGroup",
  GroupMailbox: "MailUniversalDistributionGroup", DynamicDistributionGroup: "DynamicDistributionGroup",
};

function memberObject(r: Recipient): PSObject {
  const name = r.type === "group" ? r.group.displayName : r.user.displayName;
  return new PSObject("Microsoft.Exchange.Data.Directory.Management.ReducedRecipient", { Name: name, DisplayName: name, PrimarySmtpAddress: primaryAddressOf(r) ?? "", RecipientType: RECIPIENT_TYPE[r.details], RecipientTypeDetails: r.details });
}

export const EXCHANGE_LOOKUP_CMDLETS: Cmdlet[] = [
  {
    // [[-Identity] <ApplicationAccessPolicyIdParameter>]: "<tenant>\\<app id>:<scope>" as Get-ApplicationAccessPolicy lists it.
    name: "Get-ApplicationAccessPolicy", module: "exchange",
    params: { Identity: { type: "string", position: 0 } },
    run(s, a) {
      const mine = s.ctx.store.accessPolicies.filter((p) => p.tenantId === s.tenantId);
      const identity = given(a.Identity);
      if (identity === undefined) return many(mine.map(policyObject));
      const hit = mine.find((p) => p.identity.toLowerCase() === identity.toLowerCase());
      if (!hit) throw notFound(identity);
      return policyObject(hit);
    },
  },
  {
    // [[-Identity] <ServicePrincipalIdParameter>]: "Name, DN, GUID, AppId, ObjectId". Not shouldProcess (no -WhatIf).
    name: "Get-ServicePrincipal", module: "exchange",
    params: { Identity: { type: "string", position: 0 }, Organization: { type: "string" } },
    run(s, a) {
      const identity = given(a.Identity);
      if (identity === undefined) return many(s.ctx.store.exoServicePrincipals.filter((x) => x.tenantId === s.tenantId).map(servicePrincipalObject));
      const exo = findExoServicePrincipal(s, identity);
      if (!exo) throw notFound(identity);
      return servicePrincipalObject(exo);
    },
  },
  {
    name: "Get-ManagementScope", module: "exchange",
    params: { Identity: { type: "string", position: 0 }, Exclusive: { type: "bool" }, Orphan: { type: "switch" } },
    run(s, a) {
      const identity = given(a.Identity);
      const assigned = (name: string) => s.ctx.store.roleAssignments.some((r) => r.tenantId === s.tenantId && r.customResourceScope?.toLowerCase() === name.toLowerCase());
      if (identity === undefined) {
        // The sandbox's scopes are never exclusive (New-ManagementScope -Exclusive is not modelled); -Orphan: scopes no assignment uses.
        const all = s.ctx.store.managementScopes.filter((m) => m.tenantId === s.tenantId && a.Exclusive !== true && (a.Orphan !== true || !assigned(m.name)));
        return many(all.map(scopeObject));
      }
      const scope = findScope(s, identity);
      if (!scope) throw notFound(identity);
      return scopeObject(scope);
    },
  },
  {
    // Set-ManagementScope [-Identity] <ManagementScopeIdParameter> [-RecipientRestrictionFilter <String>] [-Name <String>] [-Force]:
    // "If you change a scope that is associated with management role assignments …, the updated scope applies to all
    // the associated role assignments" — the sandbox's Graph enforcement reads the scope at each request (exchange/rbac.ts),
    // so the new filter takes effect at once. Exchange caches app permissions for 30 minutes to 2 hours
    // (learn exchange/permissions-exo/application-rbac); the sandbox does not model that delay. A Set-* outputs nothing.
    name: "Set-ManagementScope", module: "exchange", shouldProcess: { target: (a) => toText(a.Identity) },
    params: { Identity: { type: "string", mandatory: true, position: 0 }, RecipientRestrictionFilter: { type: "string" }, Name: { type: "string" }, Force: { type: "switch" } },
    run(s, a) {
      const identity = toText(a.Identity);
      const scope = findScope(s, identity);
      if (!scope) throw notFound(identity);
      const filter = given(a.RecipientRestrictionFilter);
      if (filter !== undefined) {
        try {
          parseOpath(filter);
        } catch (e) {
          if (e instanceof OpathError) throw exoError(`Cannot bind parameter 'RecipientRestrictionFilter' to the target. ${e.message}`, "ParameterBindingException", "InvalidArgument");
          throw e;
        }
      }
      const name = given(a.Name);
      if (name !== undefined && name.toLowerCase() !== scope.name.toLowerCase() && findScope(s, name)) throw alreadyExists(`The management scope "${name}" already exists.`);
      if (filter !== undefined) scope.recipientRestrictionFilter = filter;
      if (name !== undefined && name !== scope.name) {
        // Assignments point at the scope object, not its name: a renamed scope keeps its assignments.
        for (const r of s.ctx.store.roleAssignments) if (r.tenantId === s.tenantId && r.customResourceScope?.toLowerCase() === scope.name.toLowerCase()) r.customResourceScope = name;
        scope.name = name;
      }
    },
  },
  {
    // [[-Identity] <RoleAssignmentIdParameter>] (the assignment's name) or -Role; "If the RoleAssignee parameter is used,
    // you can't use the Identity parameter". -RoleAssignee names role groups, policies, users or USGs in the reference;
    // whether it accepts a service principal is unconfirmed, so the sandbox does not offer it (an unknown parameter).
    name: "Get-ManagementRoleAssignment", module: "exchange",
    params: { Identity: { type: "string", position: 0 }, Role: { type: "string" }, Enabled: { type: "bool" } },
    run(s, a) {
      const identity = given(a.Identity);
      const mine = s.ctx.store.roleAssignments.filter((r) => r.tenantId === s.tenantId);
      if (identity !== undefined) {
        if (a.Role !== undefined) throw exoError("Parameter set cannot be resolved using the specified named parameters.", "ParameterBindingException", "InvalidArgument");
        const hit = mine.find((r) => r.name.toLowerCase() === identity.toLowerCase());
        if (!hit) throw notFound(identity);
        return a.Enabled === false ? null : assignmentObject(hit);
      }
      const roleName = given(a.Role);
      const role = roleName === undefined ? undefined : applicationRole(roleName);
      if (roleName !== undefined && !role) throw notFound(roleName);
      // Assignments are always enabled in the sandbox (Set-ManagementRoleAssignment -Enabled is not modelled).
      return many(mine.filter((r) => (!role || r.role === role) && a.Enabled !== false).map(assignmentObject));
    },
  },
  {
    name: "Get-DistributionGroup", module: "exchange",
    params: { Identity: { type: "string", position: 0 }, ResultSize: { type: "string" } },
    run(s, a) {
      const identity = given(a.Identity);
      if (identity !== undefined) return groupObject(group(s, identity));
      return many([...s.ctx.store.groups.values()].filter((g) => g.tenantId === s.tenantId && (g.kind === "distribution" || g.kind === "mailEnabledSecurity")).map((g) => groupObject(g)));
    },
  },
  {
    // [-Identity] <DistributionGroupMemberIdParameter> is required; direct members only (nested groups are listed, not expanded).
    name: "Get-DistributionGroupMember", module: "exchange",
    params: { Identity: { type: "string", mandatory: true, position: 0 }, ResultSize: { type: "string" } },
    run(s, a) {
      const g = group(s, toText(a.Identity));
      return many(g.members.map((id) => recipientOf(s.ctx.store, id)).filter((r): r is Recipient => !!r).map(memberObject));
    },
  },
];
