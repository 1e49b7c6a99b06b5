/**
 * Directory reads on the Graph host (graph/api/user-list, user-get, group-list, group-list-members):
 *   GET /v1.0/users[?$filter&$select&$top&$count]   GET /v1.0/users/{id|upn}   GET /v1.0/me
 *   GET /v1.0/groups   GET /v1.0/groups/{id}   GET /v1.0/groups/{id}/members|transitiveMembers
 * Default user properties are v1.0's eleven; others (createdDateTime, department, …) need $select.
 * Paging: @odata.nextLink carries an opaque $skiptoken. Permissions as in the permission tables;
 * missing → 403 Authorization_RequestDenied "Insufficient privileges to complete the operation."
 */
import type { SandboxContext } from "../context";
import { isMemberOf } from "../exchange/recipients";
import type { Router } from "../http";
import type { Group, User } from "../model";
import { matches, parseFilter } from "./odata-filter";
import { GraphHttpError, graphRoute, type GraphCall } from "./pipeline";
import { findUser } from "./mailbox-target";

const USER_DEFAULT = ["businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id"];
const USER_PROPS = [...USER_DEFAULT, "accountEnabled", "createdDateTime", "department", "mailNickname", "userType", "proxyAddresses", "usageLocation"];
const GROUP_DEFAULT = ["id", "createdDateTime", "description", "displayName", "groupTypes", "mail", "mailEnabled", "mailNickname", "securityEnabled", "visibility"];
const lowerMap = (xs: string[]) => new Map(xs.map((x) => [x.toLowerCase(), x]));
const USER_FILTERABLE = lowerMap(["id", "displayName", "givenName", "surname", "mail", "userPrincipalName", "jobTitle", "department", "accountEnabled", "createdDateTime", "userType", "mailNickname"]);
const GROUP_FILTERABLE = lowerMap(["id", "displayName", "mail", "mailEnabled", "securityEnabled", "mailNickname"]);

const USER_READ_APP = ["User.Read.All", "User.ReadWrite.All", "User.ReadBasic.All", "Directory.Read.All", "Directory.ReadWrite.All"];
const USER_READ_DELEGATED = ["User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.AccessAsUser.All"];
const GROUP_READ_APP = ["GroupMember.Read.All", "Group.Read.All", "Group.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"];
const GROUP_READ_DELEGATED = ["GroupMember.Read.All", "Group.Read.All", "Group.ReadWrite.All", "Directory.Read.All", "Directory.AccessAsUser.All"];

function requireAny(g: GraphCall, app: string[], delegated: string[]): void {
  const held = g.claims.idtyp === "app" ? (g.claims.roles ?? []) : (g.claims.scp ?? "").split(" ");
  if (!(g.claims.idtyp === "app" ? app : delegated).some((p) => held.includes(p))) {
    throw new GraphHttpError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
  }
}

export function userRow(ctx: SandboxContext, u: User): Record<string, unknown> {
  const mb = ctx.store.mailboxes.get(u.id);
  return {
    businessPhones: [], displayName: u.displayName, givenName: u.givenName ?? null, jobTitle: u.jobTitle ?? null, mail: u.mail ?? null,
    mobilePhone: null, officeLocation: null, preferredLanguage: null, surname: u.surname ?? null, userPrincipalName: u.userPrincipalName, id: u.id,
    accountEnabled: u.accountEnabled, createdDateTime: u.createdDateTime, department: u.department ?? null,
    mailNickname: u.userPrincipalName.split("@")[0], userType: "Member", usageLocation: "US",
    proxyAddresses: mb ? [`SMTP:${mb.primarySmtpAddress}`, ...mb.proxyAddresses.map((p) => `smtp:${p}`)] : [],
  };
}

export function groupRow(g: Group): Record<string, unknown> {
  return {
    id: g.id, createdDateTime: null, description: null, displayName: g.displayName,
    groupTypes: g.kind === "microsoft365" ? ["Unified"] : [], mail: g.mail ?? null,
    mailEnabled: g.kind !== "security", mailNickname: (g.mail ?? g.displayName).split("@")[0]!.replace(/\s+/g, ""),
    securityEnabled: g.kind === "security" || g.kind === "mailEnabledSecurity", visibility: g.kind === "microsoft365" ? "Public" : null,
  };
}

function project(row: Record<string, unknown>, select: string[] | undefined, defaults: string[], all: string[]): Record<string, unknown> {
  const keys = select ?? defaults;
  const known = lowerMap(all);
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const name = known.get(k.toLowerCase());
    if (!name) throw new GraphHttpError(400, "Request_BadRequest", `Could not find a property named '${k}' on type 'microsoft.graph.${defaults === USER_DEFAULT ? "user" : "group"}'.`);
    out[name] = row[name] ?? null;
  }
  return out;
}

interface ListSpec { path: string; defaults: string[]; all: string[]; filterable: Map<string, string>; resource: string }

/** $filter/$select/$top/$count/$skiptoken over rows, with @odata.nextLink. */
function listResponse(g: GraphCall, rows: Record<string, unknown>[], spec: ListSpec, contextPath: string): void {
  let q = g.url.searchParams;
  const skip = q.get("$skiptoken");
  let offset = 0;
  if (skip) {
    try {
      const parsed = JSON.parse(Buffer.from(skip, "base64url").toString("utf8")) as { q: string; o: number };
      q = new URLSearchParams(parsed.q);
      offset = parsed.o;
    } catch {
      throw new GraphHttpError(400, "Request_BadRequest", "The specified page token value has expired and can no longer be included in your request.");
    }
  }
  const filter = q.get("$filter");
  const select = q.get("$select")?.split(",").map((s) => s.trim()).filter(Boolean);
  const topRaw = q.get("$top");
  const top = topRaw === null ? 100 : Number(topRaw);
  if (!Number.isInteger(top) || top < 1 || top > 999) throw new GraphHttpError(400, "Request_BadRequest", `Invalid page size specified: '${topRaw}'. Must be between 1 and 999 inclusive.`);
  const node = filter ? parseFilter(filter, spec.filterable, spec.resource) : undefined;
  const hits = node ? rows.filter((r) => matches(node, r)) : rows;
  const page = hits.slice(offset, offset + top);
  const body: Record<string, unknown> = {
    "@odata.context": `${g.ctx.urls.graphUrl}/v1.0/$metadata#${contextPath}${select ? `(${select.join(",")})` : ""}`,
  };
  // $count needs the advanced-query header (graph/aad-advanced-queries).
  if (q.get("$count") === "true" && /eventual/i.test(String(g.req.headers.consistencylevel ?? ""))) body["@odata.count"] = hits.length;
  if (offset + top < hits.length) {
    const token = Buffer.from(JSON.stringify({ q: q.toString(), o: offset + top })).toString("base64url");
    body["@odata.nextLink"] = `${g.ctx.urls.graphUrl}${spec.path}?$skiptoken=${token}`;
  }
  body.value = page.map((r) => project(r, select, spec.defaults, spec.all));
  g.json(200, body);
}

const USERS: ListSpec = { path: "/v1.0/users", defaults: USER_DEFAULT, all: USER_PROPS, filterable: USER_FILTERABLE, resource: "User" };

export function registerDirectoryRoutes(router: Router, ctx: SandboxContext): void {
  const tenantUsers = (g: GraphCall) => [...ctx.store.users.values()].filter((u) => u.tenantId === g.claims.tid);
  const selectOf = (g: GraphCall) => g.url.searchParams.get("$select")?.split(",").map((s) => s.trim()).filter(Boolean);

  router.on("GET", "/v1.0/users", graphRoute(ctx, async (g) => {
    await g.latency();
    requireAny(g, USER_READ_APP, USER_READ_DELEGATED);
    listResponse(g, tenantUsers(g).map((u) => userRow(ctx, u)), USERS, "users");
  }));

  router.on("GET", "/v1.0/users/:user", graphRoute(ctx, async (g) => {
    await g.latency();
    const u = findUser(g, g.params.user!);
    const self = g.claims.idtyp === "user" && u?.id === g.claims.oid;
    if (!self) requireAny(g, USER_READ_APP, USER_READ_DELEGATED);
    else requireAny(g, [], ["User.Read", ...USER_READ_DELEGATED]);
    if (!u) throw new GraphHttpError(404, "Request_ResourceNotFound", `Resource '${g.params.user}' does not exist or one of its queried reference-property objects are not present.`);
    g.json(200, { "@odata.context": `${ctx.urls.graphUrl}/v1.0/$metadata#users/$entity`, ...project(userRow(ctx, u), selectOf(g), USER_DEFAULT, USER_PROPS) });
  }));

  router.on("GET", "/v1.0/me", graphRoute(ctx, async (g) => {
    await g.latency();
    // Observed answer for /me with an app-only token on directory endpoints.
    if (g.claims.idtyp === "app") throw new GraphHttpError(400, "BadRequest", "/me request is only valid with delegated authentication flow.");
    requireAny(g, [], ["User.Read", "User.ReadWrite", ...USER_READ_DELEGATED]);
    const u = ctx.store.users.get(g.claims.oid);
    if (!u) throw new GraphHttpError(404, "Request_ResourceNotFound", `Resource '${g.claims.oid}' does not exist or one of its queried reference-property objects are not present.`);
    g.json(200, { "@odata.context": `${ctx.urls.graphUrl}/v1.0/$metadata#users/$entity`, ...project(userRow(ctx, u), selectOf(g), USER_DEFAULT, USER_PROPS) });
  }));

  // Dynamic distribution groups exist only in Exchange, not in Entra ID.
  const tenantGroups = (g: GraphCall) => [...ctx.store.groups.values()].filter((x) => x.tenantId === g.claims.tid && x.kind !== "dynamicDistribution");
  const findGroup = (g: GraphCall) => {
    const grp = tenantGroups(g).find((x) => x.id === g.params.group);
    if (!grp) throw new GraphHttpError(404, "Request_ResourceNotFound", `Resource '${g.params.group}' does not exist or one of its queried reference-property objects are not present.`);
    return grp;
  };
  const GROUPS: ListSpec = { path: "/v1.0/groups", defaults: GROUP_DEFAULT, all: GROUP_DEFAULT, filterable: GROUP_FILTERABLE, resource: "Group" };

  router.on("GET", "/v1.0/groups", graphRoute(ctx, async (g) => {
    await g.latency();
    requireAny(g, GROUP_READ_APP, GROUP_READ_DELEGATED);
    listResponse(g, tenantGroups(g).map(groupRow), GROUPS, "groups");
  }));

  router.on("GET", "/v1.0/groups/:group", graphRoute(ctx, async (g) => {
    await g.latency();
    requireAny(g, GROUP_READ_APP, GROUP_READ_DELEGATED);
    g.json(200, { "@odata.context": `${ctx.urls.graphUrl}/v1.0/$metadata#groups/$entity`, ...project(groupRow(findGroup(g)), selectOf(g), GROUP_DEFAULT, GROUP_DEFAULT) });
  }));

  for (const rel of ["members", "transitiveMembers"] as const) {
    router.on("GET", `/v1.0/groups/:group/${rel}`, graphRoute(ctx, async (g) => {
      await g.latency();
      requireAny(g, GROUP_READ_APP, GROUP_READ_DELEGATED);
      const grp = findGroup(g);
      const ids = rel === "members" ? grp.members : [...ctx.store.users.keys(), ...ctx.store.groups.keys()].filter((id) => isMemberOf(ctx.store, id, grp.id));
      const rows = ids.flatMap((id) => {
        const u = ctx.store.users.get(id);
        if (u) return [{ "@odata.type": "#microsoft.graph.user", ...project(userRow(ctx, u), undefined, USER_DEFAULT, USER_PROPS) }];
        const sub = ctx.store.groups.get(id);
        return sub ? [{ "@odata.type": "#microsoft.graph.group", ...groupRow(sub) }] : [];
      });
      g.json(200, { "@odata.context": `${ctx.urls.graphUrl}/v1.0/$metadata#directoryObjects`, value: rows });
    }));
  }
}
