/**
 * applySeed: POST {controlUrl}/seed. The body is applied to a copy of the store (structuredClone
 * keeps Maps and arrays) so references between new objects resolve in order; only when every
 * field is valid does the copy replace the live store's contents. Nothing is half-applied.
 */
import { applicationRole } from "../exchange/rbac";
import { randomUUID } from "node:crypto";
import type { SandboxContext } from "../context";
import { GRAPH_APP_ID, type AppRegistration, type Group, type GroupKind, type MailboxKind, type Store, type User } from "../model";
import { addDelegatedGrant, findApp, findServicePrincipal, isGuid } from "./directory";
import { GRAPH_APP_ROLES, GRAPH_DELEGATED, GRAPH_SCOPE_IDS } from "./scopes";
import { addCertificate, addSecret, Check, GROUP_KINDS, isObj, isoOk, MAILBOX_KINDS, optStr, resolvePrincipal, SeedError, str, strList, tenantOf, type Obj, type SeedResult } from "./seed-input";
import { seedShapeProblems } from "./seed-schema";

export function applySeed(ctx: SandboxContext, body: Obj): SeedResult {
  const c = new Check();
  // The shape (keys, types, required fields) from the zod schema; references and rules below.
  const shape = seedShapeProblems(body);
  c.bad.push(...shape.keys());
  const store = structuredClone(ctx.store) as Store;
  const out: SeedResult = { tenants: [], users: [], groups: [], apps: [] };
  const now = new Date(ctx.clock.now()).toISOString();
  // The copy's apps are different objects: secrets/certificates are added through this ctx view.
  const view = { ...ctx, store } as SandboxContext;

  c.list(body, "tenants").forEach((t, i) => {
    const f = `tenants[${i}]`;
    const id = t.id ?? randomUUID();
    c.check(typeof id === "string" && isGuid(id) && !store.tenants.has(id), `${f}.id`);
    const domains = t.domains ?? (t.domain !== undefined ? [t.domain] : undefined);
    const domOk = Array.isArray(domains) && domains.length > 0 && domains.every((d) => str(d) && /^[a-z0-9.-]+\.[a-z0-9-]+$/i.test(d));
    if (c.check(domOk, `${f}.domain`)) {
      const taken = (domains as string[]).some((d) => [...store.tenants.values()].some((x) => x.domains.includes(d.toLowerCase())));
      c.check(!taken, `${f}.domain`);
    }
    c.check(optStr(t.displayName), `${f}.displayName`);
    if (c.bad.length) return;
    const ds = (domains as string[]).map((d) => d.toLowerCase());
    store.tenants.set(id as string, { id: id as string, domains: ds, displayName: (t.displayName as string | undefined) ?? ds[0]! });
    out.tenants.push({ id: id as string, domain: ds[0]! });
  });

  c.list(body, "users").forEach((u, i) => {
    const f = `users[${i}]`;
    const tenant = tenantOf(store, u.tenant, []);
    c.check(!!tenant, `${f}.tenant`);
    const upn = u.userPrincipalName;
    if (c.check(str(upn) && /^[^@\s]+@[^@\s]+$/.test(upn as string), `${f}.userPrincipalName`) && tenant) {
      const domain = (upn as string).split("@")[1]!.toLowerCase();
      c.check(tenant.domains.includes(domain), `${f}.userPrincipalName`);
      c.check(![...store.users.values()].some((x) => x.userPrincipalName.toLowerCase() === (upn as string).toLowerCase()), `${f}.userPrincipalName`);
    }
    const id = u.id ?? randomUUID();
    c.check(typeof id === "string" && isGuid(id) && !store.users.has(id), `${f}.id`);
    c.check(str(u.displayName), `${f}.displayName`);
    for (const k of ["password", "givenName", "surname", "mail", "jobTitle", "department"]) c.check(optStr(u[k]), `${f}.${k}`);
    c.check(isoOk(u.createdDateTime), `${f}.createdDateTime`);
    c.check(u.accountEnabled === undefined || typeof u.accountEnabled === "boolean", `${f}.accountEnabled`);
    c.check(strList(u.directoryRoles), `${f}.directoryRoles`);
    const mbx = u.mailbox === undefined ? "user" : u.mailbox;
    const mbxObj = typeof mbx === "string" ? { kind: mbx } : mbx;
    const mbxOk = mbx === false || (isObj(mbxObj) && MAILBOX_KINDS.includes(mbxObj.kind as MailboxKind) && strList(mbxObj.proxyAddresses) &&
      (mbxObj.maxSendSize === undefined || (Number.isInteger(mbxObj.maxSendSize) && (mbxObj.maxSendSize as number) > 0)) &&
      (mbxObj.restEnabled === undefined || typeof mbxObj.restEnabled === "boolean"));
    c.check(mbxOk, `${f}.mailbox`);
    if (c.bad.length || !tenant) return;
    const kind = isObj(mbxObj) ? (mbxObj.kind as MailboxKind) : undefined;
    const user: User = {
      id: id as string,
      tenantId: tenant.id,
      userPrincipalName: upn as string,
      displayName: u.displayName as string,
      ...(u.givenName ? { givenName: u.givenName as string } : {}),
      ...(u.surname ? { surname: u.surname as string } : {}),
      mail: (u.mail as string | undefined) ?? (mbx === false ? undefined : (upn as string)),
      ...(u.jobTitle ? { jobTitle: u.jobTitle as string } : {}),
      ...(u.department ? { department: u.department as string } : {}),
      password: (u.password as string | undefined) ?? randomUUID(),
      createdDateTime: (u.createdDateTime as string | undefined) ?? now,
      // Shared, room and equipment mailboxes are disabled accounts in Entra.
      accountEnabled: (u.accountEnabled as boolean | undefined) ?? (kind === undefined || kind === "user"),
      ...(u.directoryRoles ? { directoryRoles: u.directoryRoles as string[] } : {}),
    };
    if (user.mail === undefined) delete user.mail;
    store.users.set(user.id, user);
    if (isObj(mbxObj) && kind) {
      store.mailboxes.set(user.id, {
        userId: user.id, tenantId: tenant.id, kind,
        primarySmtpAddress: user.mail ?? user.userPrincipalName,
        proxyAddresses: (mbxObj.proxyAddresses as string[] | undefined) ?? [],
        maxSendSize: (mbxObj.maxSendSize as number | undefined) ?? 35 * 1024 * 1024,
        restEnabled: (mbxObj.restEnabled as boolean | undefined) ?? true,
      });
    }
    out.users.push({ id: user.id, userPrincipalName: user.userPrincipalName });
  });

  c.list(body, "groups").forEach((g, i) => {
    const f = `groups[${i}]`;
    const tenant = tenantOf(store, g.tenant, []);
    c.check(!!tenant, `${f}.tenant`);
    c.check(str(g.displayName), `${f}.displayName`);
    c.check(GROUP_KINDS.includes(g.kind as GroupKind), `${f}.kind`);
    c.check(optStr(g.mail), `${f}.mail`);
    const id = g.id ?? randomUUID();
    c.check(typeof id === "string" && isGuid(id) && !store.groups.has(id), `${f}.id`);
    const members: string[] = [];
    if (c.check(strList(g.members), `${f}.members`) && tenant) {
      ((g.members as string[] | undefined) ?? []).forEach((m, j) => {
        const pid = resolvePrincipal(store, tenant.id, m);
        if (c.check(!!pid, `${f}.members[${j}]`)) members.push(pid!);
      });
    }
    if (c.bad.length || !tenant) return;
    const group: Group = { id: id as string, tenantId: tenant.id, displayName: g.displayName as string, kind: g.kind as GroupKind, members, ...(g.mail ? { mail: g.mail as string } : {}) };
    store.groups.set(group.id, group);
    out.groups.push({ id: group.id, displayName: group.displayName, ...(group.mail ? { mail: group.mail } : {}) });
  });

  c.list(body, "apps").forEach((a, i) => applyApp(view, c, a, `apps[${i}]`, out, now));
  applyGrantsAndPolicies(view, c, body);
  if (c.bad.length) throw new SeedError([...new Set(c.bad)], shape);
  for (const key of Object.keys(store) as (keyof Store)[]) {
    const live = ctx.store[key] as unknown;
    const next = store[key] as unknown;
    if (live instanceof Map && next instanceof Map) {
      live.clear();
      for (const [k, v] of next) live.set(k, v);
    } else if (Array.isArray(live) && Array.isArray(next)) live.splice(0, live.length, ...next);
  }
  return out;
}

function applyApp(ctx: SandboxContext, c: Check, a: Obj, f: string, out: SeedResult, now: string): void {
  const store = ctx.store;
  const tenant = tenantOf(store, a.tenant, []);
  c.check(!!tenant, `${f}.tenant`);
  const appId = a.appId ?? randomUUID();
  c.check(typeof appId === "string" && isGuid(appId) && !findApp(store, appId), `${f}.appId`);
  c.check(str(a.displayName), `${f}.displayName`);
  c.check(a.signInAudience === undefined || a.signInAudience === "AzureADMyOrg" || a.signInAudience === "AzureADMultipleOrgs", `${f}.signInAudience`);
  c.check(strList(a.redirectUris) && ((a.redirectUris as string[] | undefined) ?? []).every((u) => URL.canParse(u)), `${f}.redirectUris`);
  c.check(strList(a.applicationPermissions) && ((a.applicationPermissions as string[] | undefined) ?? []).every((p) => p in GRAPH_APP_ROLES), `${f}.applicationPermissions`);
  c.check(strList(a.delegatedPermissions) && ((a.delegatedPermissions as string[] | undefined) ?? []).every((p) => p in GRAPH_SCOPE_IDS), `${f}.delegatedPermissions`);
  c.check(a.servicePrincipal === undefined || typeof a.servicePrincipal === "boolean", `${f}.servicePrincipal`);
  c.check(a.adminConsent === undefined || typeof a.adminConsent === "boolean", `${f}.adminConsent`);
  const secrets = a.secrets === undefined ? [{}] : a.secrets;
  c.check(Array.isArray(secrets) && secrets.every(isObj), `${f}.secrets`);
  c.check(a.certificates === undefined || (Array.isArray(a.certificates) && a.certificates.every(isObj)), `${f}.certificates`);
  if (c.bad.length || !tenant) return;
  const roles = (a.applicationPermissions as string[] | undefined) ?? [];
  const scopes = (a.delegatedPermissions as string[] | undefined) ?? [];
  const app: AppRegistration = {
    appId: appId as string,
    id: randomUUID(),
    tenantId: tenant.id,
    displayName: a.displayName as string,
    signInAudience: (a.signInAudience as AppRegistration["signInAudience"] | undefined) ?? "AzureADMyOrg",
    redirectUris: (a.redirectUris as string[] | undefined) ?? [],
    requiredResourceAccess: roles.length + scopes.length === 0 ? [] : [{
      resourceAppId: GRAPH_APP_ID,
      resourceAccess: [...roles.map((r) => ({ id: GRAPH_APP_ROLES[r]!, type: "Role" as const })), ...scopes.map((s) => ({ id: GRAPH_SCOPE_IDS[s]!, type: "Scope" as const }))],
    }],
    secrets: [],
    certificates: [],
    createdDateTime: now,
  };
  store.apps.set(app.appId, app);
  const made = (secrets as Obj[]).map((s, j) => {
    try {
      return addSecret(ctx, app, s, `${f}.secrets[${j}]`);
    } catch (e) {
      if (e instanceof SeedError) c.bad.push(...e.fields);
      return undefined;
    }
  });
  ((a.certificates as Obj[] | undefined) ?? []).forEach((cert, j) => {
    try {
      addCertificate(ctx, app, cert, `${f}.certificates[${j}]`);
    } catch (e) {
      if (e instanceof SeedError) c.bad.push(...e.fields);
    }
  });
  let spId: string | undefined;
  if (a.servicePrincipal !== false) {
    spId = randomUUID();
    store.servicePrincipals.set(spId, { id: spId, appId: app.appId, tenantId: tenant.id, displayName: app.displayName });
  }
  if (a.adminConsent === true && spId) {
    for (const r of roles) store.appRoleGrants.push({ id: randomUUID(), tenantId: tenant.id, principalId: spId, appId: app.appId, value: r, appRoleId: GRAPH_APP_ROLES[r]! });
    if (scopes.length) addDelegatedGrant(store, { tenantId: tenant.id, appId: app.appId, consentType: "AllPrincipals", scopes }, randomUUID);
  }
  out.apps.push({
    appId: app.appId,
    id: app.id,
    ...(spId ? { servicePrincipalId: spId } : {}),
    secrets: made.filter((s) => !!s).map((s) => ({ keyId: s.keyId, secretText: s.secretText, endDateTime: s.endDateTime })),
  });
}

function applyGrantsAndPolicies(ctx: SandboxContext, c: Check, body: Obj): void {
  const store = ctx.store;
  const appIn = (f: string, ref: unknown, tenantRef: unknown) => {
    const tenant = tenantOf(store, tenantRef, []);
    c.check(!!tenant, `${f}.tenant`);
    const app = typeof ref === "string" ? findApp(store, ref) : undefined;
    c.check(!!app, `${f}.appId`);
    return { tenant, app };
  };
  c.list(body, "appRoleGrants").forEach((g, i) => {
    const f = `appRoleGrants[${i}]`;
    const { tenant, app } = appIn(f, g.appId, g.tenant);
    c.check(typeof g.permission === "string" && g.permission in GRAPH_APP_ROLES, `${f}.permission`);
    const sp = tenant && app ? findServicePrincipal(store, tenant.id, app.appId) : undefined;
    if (tenant && app) c.check(!!sp, `${f}.appId`); // an app role is granted to the app's service principal
    if (!sp || !tenant || !app || c.bad.length) return;
    store.appRoleGrants.push({ id: randomUUID(), tenantId: tenant.id, principalId: sp.id, appId: app.appId, value: g.permission as string, appRoleId: GRAPH_APP_ROLES[g.permission as string]! });
  });
  c.list(body, "delegatedGrants").forEach((g, i) => {
    const f = `delegatedGrants[${i}]`;
    const { tenant, app } = appIn(f, g.appId, g.tenant);
    c.check(strList(g.scopes) && Array.isArray(g.scopes) && g.scopes.length > 0 && (g.scopes as string[]).every((s) => s in GRAPH_DELEGATED), `${f}.scopes`);
    const userId = g.user === undefined || !tenant ? undefined : resolvePrincipal(store, tenant.id, String(g.user));
    if (g.user !== undefined) c.check(!!userId && store.users.has(userId), `${f}.user`);
    if (!tenant || !app || c.bad.length) return;
    addDelegatedGrant(store, { tenantId: tenant.id, appId: app.appId, consentType: userId ? "Principal" : "AllPrincipals", ...(userId ? { principalId: userId } : {}), scopes: g.scopes as string[] }, randomUUID);
  });
  c.list(body, "accessPolicies").forEach((p, i) => {
    const f = `accessPolicies[${i}]`;
    const { tenant, app } = appIn(f, p.appId, p.tenant);
    c.check(p.accessRight === "RestrictAccess" || p.accessRight === "DenyAccess", `${f}.accessRight`);
    c.check(optStr(p.description), `${f}.description`);
    const scopeId = tenant && str(p.scope) ? resolvePrincipal(store, tenant.id, p.scope as string) : undefined;
    // PolicyScopeGroupId must be a security principal: a user mailbox / mail user or a mail-enabled
    // security group — not a shared mailbox or another group kind (GRAPH-FACTS §7).
    const user = scopeId ? store.users.get(scopeId) : undefined;
    const group = scopeId ? store.groups.get(scopeId) : undefined;
    const kind = user ? store.mailboxes.get(user.id)?.kind : undefined;
    c.check(!!scopeId && ((!!user && (kind === undefined || kind === "user")) || group?.kind === "mailEnabledSecurity"), `${f}.scope`);
    if (!tenant || !app || !scopeId || c.bad.length) return;
    store.accessPolicies.push({ identity: `${tenant.id}\\${app.appId}:${scopeId}`, tenantId: tenant.id, appId: app.appId, accessRight: p.accessRight as "RestrictAccess" | "DenyAccess", scopeId, scopeName: p.scope as string, ...(p.description ? { description: p.description as string } : {}) });
  });
  c.list(body, "exoServicePrincipals").forEach((s, i) => {
    const f = `exoServicePrincipals[${i}]`;
    const { tenant, app } = appIn(f, s.appId, s.tenant);
    const sp = tenant && app ? findServicePrincipal(store, tenant.id, app.appId) : undefined;
    const objectId = (s.objectId as string | undefined) ?? sp?.id;
    c.check(typeof objectId === "string" && isGuid(objectId), `${f}.objectId`);
    if (!tenant || !app || !objectId || c.bad.length) return;
    store.exoServicePrincipals.push({ tenantId: tenant.id, appId: app.appId, objectId, displayName: (s.displayName as string | undefined) ?? app.displayName });
  });
  c.list(body, "managementScopes").forEach((m, i) => {
    const f = `managementScopes[${i}]`;
    const tenant = tenantOf(store, m.tenant, []);
    c.check(!!tenant, `${f}.tenant`);
    c.check(str(m.name), `${f}.name`);
    c.check(str(m.recipientRestrictionFilter), `${f}.recipientRestrictionFilter`);
    if (!tenant || c.bad.length) return;
    store.managementScopes.push({ tenantId: tenant.id, name: m.name as string, recipientRestrictionFilter: m.recipientRestrictionFilter as string });
  });
  c.list(body, "roleAssignments").forEach((r, i) => {
    const f = `roleAssignments[${i}]`;
    const { tenant, app } = appIn(f, r.appId, r.tenant);
    c.check(str(r.role) && !!applicationRole(r.role as string), `${f}.role`); // one of the documented application roles
    c.check(optStr(r.name), `${f}.name`);
    const scopeOk = r.customResourceScope === undefined || (typeof r.customResourceScope === "string" && store.managementScopes.some((m) => m.name === r.customResourceScope && m.tenantId === tenant?.id));
    c.check(scopeOk, `${f}.customResourceScope`);
    if (!tenant || !app || c.bad.length) return;
    store.roleAssignments.push({ tenantId: tenant.id, name: (r.name as string | undefined) ?? `${app.displayName}-${r.role as string}`, appId: app.appId, role: applicationRole(r.role as string)!, ...(r.customResourceScope ? { customResourceScope: r.customResourceScope as string } : {}) });
  });
}
