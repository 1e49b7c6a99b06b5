/**
 * Exchange Online PowerShell cmdlets the portal's restriction scripts use, on the sandbox's Exchange
 * state (GRAPH-FACTS §7; exchange/permissions-exo/application-rbac): application access policies
 * (validated and evaluated by exchange/access-policy.ts), RBAC for Applications (exchange/rbac.ts,
 * exchange/opath.ts) and the group that scopes a policy. They exist only after Connect-ExchangeOnline,
 * as with the real module. Exchange's exact error texts are mostly unconfirmed: the sandbox's wording.
 */
import { randomUUID } from "node:crypto";
import { findApp, findServicePrincipal } from "../entra/directory";
import { evaluateAccessPolicies, validatePolicyScope } from "../exchange/access-policy";
import { OpathError, parseOpath } from "../exchange/opath";
import { applicationRole, testServicePrincipalAuthorization } from "../exchange/rbac";
import { primaryAddressOf, resolveRecipient } from "../exchange/recipients";
import type { Cmdlet } from "./binding";
import { PSError } from "./errors";
import { alreadyExists, appIdOf, assignmentObject, exoError, findScope, groupObject, notFound, policyObject, recipient, scopeObject, servicePrincipalObject, tenantDomain } from "./exchange-objects";
import { PSObject, toText } from "./values";

export const EXCHANGE_CMDLETS: Cmdlet[] = [
  {
    name: "Connect-ExchangeOnline", module: "core",
    params: { ShowBanner: { type: "switch" }, UserPrincipalName: { type: "string" }, Organization: { type: "string" }, AppId: { type: "string" }, CertificateThumbprint: { type: "string" }, DelegatedOrganization: { type: "string" }, Device: { type: "switch" } },
    run(s, a) {
      s.exchangeConnected = true;
      if (a.ShowBanner !== false) {
        s.out.push("", "----------------------------------------------------------------------------------------", "This is the sandbox's Exchange Online PowerShell: the cmdlets act on the sandbox tenant.", "----------------------------------------------------------------------------------------", "");
      }
    },
  },
  {
    name: "New-DistributionGroup", module: "exchange", shouldProcess: { target: (a) => toText(a.Name) },
    params: { Name: { type: "string", mandatory: true, position: 0 }, Type: { type: "enum", values: ["Distribution", "Security"], netType: "Microsoft.Exchange.Data.Directory.Recipient.GroupType" }, PrimarySmtpAddress: { type: "string" }, DisplayName: { type: "string" }, Alias: { type: "string" }, Members: { type: "string[]" } },
    run(s, a) {
      const store = s.ctx.store;
      const name = toText(a.Name);
      if ([...store.groups.values()].some((g) => g.tenantId === s.tenantId && g.displayName.toLowerCase() === name.toLowerCase())) {
        throw alreadyExists(`The name "${name}" is already being used. Please try another name.`);
      }
      const mail = toText(a.PrimarySmtpAddress ?? `${toText(a.Alias ?? name).replace(/[^A-Za-z0-9._-]/g, "")}@${tenantDomain(s)}`).toLowerCase();
      if (resolveRecipient(store, s.tenantId, mail)) throw exoError(`The proxy address "SMTP:${mail}" is already being used by another recipient.`, "ProxyAddressExistsException", "InvalidOperation");
      const members = ((a.Members as string[] | undefined) ?? []).map((m) => recipient(s, m).id);
      const group = { id: randomUUID(), tenantId: s.tenantId, displayName: toText(a.DisplayName ?? name), mail, kind: a.Type === "Security" ? ("mailEnabledSecurity" as const) : ("distribution" as const), members };
      store.groups.set(group.id, group);
      return groupObject(group, name);
    },
  },
  {
    name: "Add-DistributionGroupMember", module: "exchange", shouldProcess: { target: (a) => toText(a.Identity) },
    // -Member is optional in the reference (Required: False): without it the command adds nobody.
    params: { Identity: { type: "string", mandatory: true, position: 0 }, Member: { type: "string" }, BypassSecurityGroupManagerCheck: { type: "switch" } },
    run(s, a) {
      const g = recipient(s, toText(a.Identity));
      if (g.type !== "group") throw exoError(`The group '${toText(a.Identity)}' couldn't be found: it is a ${g.details}, not a group.`);
      if (g.group.kind === "microsoft365") throw exoError(`'${toText(a.Identity)}' is a Microsoft 365 group: use Add-UnifiedGroupLinks to change its members.`, "RecipientTaskException", "InvalidArgument");
      if (g.group.kind !== "distribution" && g.group.kind !== "mailEnabledSecurity") throw exoError(`'${toText(a.Identity)}' is a ${g.details}; its members can't be changed with Add-DistributionGroupMember.`, "RecipientTaskException", "InvalidArgument");
      if (a.Member === undefined || a.Member === null) return;
      const m = recipient(s, toText(a.Member));
      if (g.group.members.includes(m.id)) {
        throw exoError(`The recipient "${toText(a.Member)}" is already a member of the group "${g.group.displayName}".`, "MemberAlreadyExistsException", "NotSpecified");
      }
      g.group.members.push(m.id);
    },
  },
  {
    name: "New-ApplicationAccessPolicy", module: "exchange", shouldProcess: { target: (a) => toText(a.PolicyScopeGroupId) },
    params: {
      AppId: { type: "string[]", mandatory: true }, PolicyScopeGroupId: { type: "string", mandatory: true },
      AccessRight: { type: "enum", mandatory: true, values: ["RestrictAccess", "DenyAccess"], netType: "Microsoft.Exchange.Data.ApplicationAccessPolicy+AccessRight" }, Description: { type: "string" },
    },
    run(s, a) {
      const scope = validatePolicyScope(s.ctx.store, s.tenantId, toText(a.PolicyScopeGroupId));
      if (!scope.ok) throw exoError(scope.error, "InvalidOperationException", "InvalidArgument");
      const out: PSObject[] = [];
      for (const appId of a.AppId as string[]) {
        // "You can specify multiple app GUID values separated by commas or you can specify * to indicate all applications."
        if (appId !== "*" && !/^[0-9a-f-]{36}$/i.test(appId)) throw exoError(`Cannot bind parameter 'AppId'. "${appId}" is not a valid application id (GUID).`, "ParameterBindingException", "InvalidArgument");
        const policy = {
          identity: `${s.tenantId}\\${appId.toLowerCase()}:${scope.scopeId}`, tenantId: s.tenantId, appId: appId.toLowerCase(), accessRight: a.AccessRight as "RestrictAccess" | "DenyAccess",
          scopeId: scope.scopeId, scopeName: scope.scopeName, ...(a.Description ? { description: toText(a.Description) } : {}),
        };
        s.ctx.store.accessPolicies.push(policy);
        out.push(policyObject(policy));
      }
      return out.length === 1 ? out[0]! : out;
    },
  },
  {
    name: "Test-ApplicationAccessPolicy", module: "exchange",
    params: { Identity: { type: "string", mandatory: true, position: 0 }, AppId: { type: "string", mandatory: true } },
    run(s, a) {
      const r = recipient(s, toText(a.Identity));
      const d = evaluateAccessPolicies(s.ctx.store, s.tenantId, toText(a.AppId), r.id);
      return new PSObject("Microsoft.Exchange.Management.Tasks.ApplicationAccessPolicyTestResult", { AppId: toText(a.AppId), Mailbox: primaryAddressOf(r) ?? toText(a.Identity), MailboxId: r.id, MailboxSid: `S-1-5-21-sandbox-${r.id.slice(0, 8)}`, AccessCheckResult: d.accessCheckResult });
    },
  },
  {
    name: "New-ServicePrincipal", module: "exchange", shouldProcess: { target: (a) => toText(a.AppId) },
    // The reference marks both -ObjectId and -ServiceId required and calls -ServiceId deprecated ("Use the
    // ObjectId parameter instead"): the sandbox takes either, ObjectId preferred (how Exchange treats a
    // script with both missing is unconfirmed; it answers PowerShell's missing-mandatory error).
    params: { AppId: { type: "string", mandatory: true }, ObjectId: { type: "string" }, ServiceId: { type: "string" }, DisplayName: { type: "string" }, Organization: { type: "string" } },
    run(s, a) {
      if (a.ObjectId === undefined && a.ServiceId === undefined) {
        throw new PSError("Cannot process command because of one or more missing mandatory parameters: ObjectId.", { category: "InvalidArgument", exceptionType: "ParameterBindingException", errorId: "MissingMandatoryParameter" });
      }
      const objectId = toText(a.ObjectId ?? a.ServiceId);
      const appId = toText(a.AppId).toLowerCase();
      const app = findApp(s.ctx.store, appId);
      const sp = app ? findServicePrincipal(s.ctx.store, s.tenantId, app.appId) : undefined;
      // Exchange checks the pair against Entra ID: the object id must be the app's enterprise application (sandbox wording).
      if (!app || !sp || sp.id.toLowerCase() !== objectId.toLowerCase()) {
        throw exoError(`No enterprise application with AppId '${toText(a.AppId)}' and ObjectId '${objectId}' exists in the tenant. Use the Object ID from Entra ID → Enterprise applications, not the app registration's.`, "ManagementObjectNotFoundException");
      }
      // Why a second run fails here: the reference is a one-time registration; look it up first (Get-ServicePrincipal).
      if (s.ctx.store.exoServicePrincipals.some((x) => x.tenantId === s.tenantId && x.appId === app.appId)) throw alreadyExists(`A service principal with AppId '${app.appId}' already exists.`);
      const exo = { tenantId: s.tenantId, appId: app.appId, objectId: sp.id, displayName: toText(a.DisplayName ?? app.displayName) };
      s.ctx.store.exoServicePrincipals.push(exo);
      return servicePrincipalObject(exo);
    },
  },
  {
    name: "New-ManagementScope", module: "exchange", shouldProcess: { target: (a) => toText(a.Name) },
    params: { Name: { type: "string", mandatory: true, position: 0 }, RecipientRestrictionFilter: { type: "string", mandatory: true } },
    run(s, a) {
      const name = toText(a.Name);
      const filter = toText(a.RecipientRestrictionFilter);
      try {
        parseOpath(filter);
      } catch (e) {
        if (e instanceof OpathError) throw exoError(`Cannot bind parameter 'RecipientRestrictionFilter' to the target. ${e.message}`, "ParameterBindingException", "InvalidArgument");
        throw e;
      }
      if (findScope(s, name)) throw alreadyExists(`The management scope "${name}" already exists.`);
      const scope = { tenantId: s.tenantId, name, recipientRestrictionFilter: filter };
      s.ctx.store.managementScopes.push(scope);
      return scopeObject(scope);
    },
  },
  {
    name: "New-ManagementRoleAssignment", module: "exchange", shouldProcess: { target: (a) => toText(a.Name ?? a.Role) },
    // [[-Name] <String>]: Name is optional and positional (Position: 1 in the reference, the first position).
    params: { Name: { type: "string", position: 0 }, App: { type: "string", mandatory: true }, Role: { type: "string", mandatory: true }, CustomResourceScope: { type: "string" } },
    run(s, a) {
      const appId = appIdOf(s, toText(a.App));
      // -Role must name an existing role: the documented application roles (rbac.ts). A made-up name is not
      // found, in Exchange's usual not-found wording (the exact text for a role is unconfirmed). Built-in
      // management roles, which the reference also allows with -App, are not modelled by the sandbox.
      const role = applicationRole(toText(a.Role));
      if (!role) throw notFound(toText(a.Role));
      const scope = a.CustomResourceScope ? toText(a.CustomResourceScope) : undefined;
      const scopeRow = scope ? findScope(s, scope) : undefined;
      if (scope && !scopeRow) throw notFound(scope);
      const taken = (n: string) => s.ctx.store.roleAssignments.some((x) => x.tenantId === s.tenantId && x.name.toLowerCase() === n.toLowerCase());
      let name: string;
      if (a.Name !== undefined) {
        // "The maximum length of the name is 64 characters" (learn powershell/module/exchangepowershell/new-managementroleassignment, -Name).
        name = toText(a.Name);
        if (name.length > 64) throw exoError(`Cannot bind parameter 'Name': the name "${name}" is ${name.length} characters long; the maximum is 64.`, "ParameterBindingException", "InvalidArgument");
        // Names identify assignments (Get-ManagementRoleAssignment -Identity), so they are unique (the text is unconfirmed).
        if (taken(name)) throw alreadyExists(`The role assignment "${name}" already exists.`);
      } else {
        // "If you don't specify a name, a name is created automatically": Exchange's pattern is unconfirmed; the
        // sandbox's is <role>-<app id>, with a number added when taken.
        const base = `${role}-${appId}`.slice(0, 60);
        name = base;
        for (let i = 2; taken(name); i++) name = `${base}${i}`;
      }
      const assignment = { tenantId: s.tenantId, name, appId, role, ...(scopeRow ? { customResourceScope: scopeRow.name } : {}) };
      s.ctx.store.roleAssignments.push(assignment);
      return assignmentObject(assignment);
    },
  },
  {
    name: "Test-ServicePrincipalAuthorization", module: "exchange", shouldProcess: { target: (a) => toText(a.Identity) },
    params: { Identity: { type: "string", mandatory: true, position: 0 }, Resource: { type: "string" } },
    run(s, a) {
      const appId = appIdOf(s, toText(a.Identity));
      const r = a.Resource ? recipient(s, toText(a.Resource)) : undefined;
      return testServicePrincipalAuthorization(s.ctx.store, s.tenantId, appId, r?.id ?? "").map((row) =>
        new PSObject("Microsoft.Exchange.Management.RbacTasks.ServicePrincipalAuthorizationResult", { RoleName: row.roleName, GrantedPermissions: row.grantedPermissions, AllowedResourceScope: row.allowedResourceScope, ScopeType: row.scopeType, InScope: r ? row.inScope : null }),
      );
    },
  },
];
