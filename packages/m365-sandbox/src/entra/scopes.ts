/**
 * Scope strings as Entra's v2.0 endpoint reads them (learn "permissions-consent-overview",
 * "scopes-oidc"). The sandbox has one resource, Microsoft Graph, addressed as
 * https://graph.microsoft.com, its app id, or the sandbox's own Graph URL. A scope without a
 * resource prefix means Graph, as on Entra. OIDC scopes (openid, profile, email, offline_access)
 * are Graph delegated permissions too, so they take part in consent.
 */
import { GRAPH_APP_ID, GRAPH_PERMISSIONS, type AppRegistration } from "../model";
import { AAD } from "./errors";

export const OIDC_SCOPES = ["openid", "profile", "email", "offline_access"];

/** Graph delegated permissions the sandbox knows (a subset of graph/permissions-reference). */
export const GRAPH_DELEGATED: Record<string, { adminOnly: boolean; description: string }> = {
  "Mail.Send": { adminOnly: false, description: "Send mail as you" },
  "Mail.Send.Shared": { adminOnly: false, description: "Send mail on behalf of others" },
  "Mail.Read": { adminOnly: false, description: "Read your mail" },
  "Mail.ReadBasic": { adminOnly: false, description: "Read basic mail properties" },
  "Mail.ReadWrite": { adminOnly: false, description: "Read and write access to your mail" },
  "User.Read": { adminOnly: false, description: "Sign you in and read your profile" },
  "User.ReadBasic.All": { adminOnly: false, description: "Read all users' basic profiles" },
  "User.Read.All": { adminOnly: true, description: "Read all users' full profiles" },
  "Group.Read.All": { adminOnly: true, description: "Read all groups" },
  "GroupMember.Read.All": { adminOnly: true, description: "Read group memberships" },
  "Directory.Read.All": { adminOnly: true, description: "Read directory data" },
  "ExchangeMessageTrace.Read.All": { adminOnly: true, description: "Search the email message trace" },
  openid: { adminOnly: false, description: "Sign you in" },
  profile: { adminOnly: false, description: "View your basic profile" },
  email: { adminOnly: false, description: "View your email address" },
  offline_access: { adminOnly: false, description: "Maintain access to data you have given it access to" },
};

/** Graph application permissions (app roles) the sandbox knows. */
export const GRAPH_APP_ROLES: Record<string, string> = {
  "Mail.Send": GRAPH_PERMISSIONS["Mail.Send:Role"],
  "Mail.ReadWrite": GRAPH_PERMISSIONS["Mail.ReadWrite:Role"],
  "Mail.Read": "810c84a8-4a9e-49e6-bf7d-12d183f40d01",
  "User.Read.All": "df021288-bdef-4463-88db-98f22de89214",
  "Group.Read.All": "5b567255-7703-4780-807c-7be8301ae99b",
  "GroupMember.Read.All": "98830695-27a2-44f7-8c18-0c3ebc9698f6",
  "ExchangeMessageTrace.Read.All": "89b20d8a-76e2-4057-867b-9961f800b9a4",
};

/** Delegated permission ids (requiredResourceAccess "Scope" entries) the sandbox can name. */
export const GRAPH_SCOPE_IDS: Record<string, string> = {
  "Mail.Send": GRAPH_PERMISSIONS["Mail.Send:Scope"],
  "User.Read": GRAPH_PERMISSIONS["User.Read:Scope"],
  offline_access: GRAPH_PERMISSIONS["offline_access:Scope"],
  openid: GRAPH_PERMISSIONS["openid:Scope"],
  profile: GRAPH_PERMISSIONS["profile:Scope"],
  email: "64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0",
  "Mail.Read": "570282fd-fa5c-430d-a7fd-fc8dc98a9dca",
  "Mail.ReadWrite": GRAPH_PERMISSIONS["Mail.ReadWrite:Scope"],
  "Mail.Send.Shared": "a367ab51-6b49-43bf-a716-a1fb06d2a174",
  "User.Read.All": "a154be20-db9c-4678-8ab7-66f6cc099a59",
  "User.ReadBasic.All": "b340eb25-3456-403f-be2f-af7a0d370277",
  "ExchangeMessageTrace.Read.All": "b2e7d27e-14e7-41ad-bb15-a88ceb9c3e90",
};

const nameById = (table: Record<string, string>, id: string) => Object.entries(table).find(([, v]) => v === id)?.[0];

export interface ParsedScopes {
  /** Graph scopes in short form ("Mail.Send"), OIDC scopes included. */
  scopes: string[];
  /** "<graph>/.default" was requested. */
  isDefault: boolean;
}

export function graphPrefixes(graphUrl: string): string[] {
  return ["https://graph.microsoft.com/", `${GRAPH_APP_ID}/`, `${graphUrl.replace(/\/$/, "")}/`];
}

/** Splits a scope parameter into Graph permission names. Throws AADSTS70011/500011 for bad values. */
export function parseScopes(raw: string | null, graphUrl: string, tenantName: string): ParsedScopes {
  const items = (raw ?? "").split(/\s+/).filter(Boolean);
  if (items.length === 0) throw AAD.badScope("The provided request must include a 'scope' input parameter.");
  const prefixes = graphPrefixes(graphUrl);
  const scopes: string[] = [];
  let isDefault = false;
  for (const item of items) {
    let name = item;
    const prefix = prefixes.find((p) => item.toLowerCase().startsWith(p.toLowerCase()));
    if (prefix) name = item.slice(prefix.length);
    else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(item) || /^[0-9a-f-]{36}\//i.test(item)) {
      throw AAD.unknownResource(item.replace(/\/[^/]*$/, ""), tenantName);
    }
    if (name === ".default") {
      isDefault = true;
      continue;
    }
    const known = Object.keys(GRAPH_DELEGATED).find((k) => k.toLowerCase() === name.toLowerCase());
    if (!known) throw AAD.badScope(`The provided value for the input parameter 'scope' is not valid. The scope '${item}' does not exist.`);
    if (!scopes.includes(known)) scopes.push(known);
  }
  return { scopes, isDefault };
}

/** Delegated scopes an app statically requests (requiredResourceAccess, type Scope) — what .default means. */
export function staticScopes(app: AppRegistration): string[] {
  const out: string[] = [];
  for (const rra of app.requiredResourceAccess) {
    if (rra.resourceAppId !== GRAPH_APP_ID) continue;
    for (const ra of rra.resourceAccess) {
      const name = ra.type === "Scope" ? nameById(GRAPH_SCOPE_IDS, ra.id) : undefined;
      if (name) out.push(name);
    }
  }
  return out;
}

/** Application permissions an app statically requests (requiredResourceAccess, type Role). */
export function staticRoles(app: AppRegistration): { value: string; id: string }[] {
  const out: { value: string; id: string }[] = [];
  for (const rra of app.requiredResourceAccess) {
    if (rra.resourceAppId !== GRAPH_APP_ID) continue;
    for (const ra of rra.resourceAccess) {
      const value = ra.type === "Role" ? nameById(GRAPH_APP_ROLES, ra.id) : undefined;
      if (value) out.push({ value, id: ra.id });
    }
  }
  return out;
}

/** Graph permission name → id, for seeds and control input that name permissions. */
export function permissionId(name: string, type: "Role" | "Scope"): string | undefined {
  return type === "Role" ? GRAPH_APP_ROLES[name] : GRAPH_SCOPE_IDS[name];
}

/** Order of the `scope` echo: Graph scopes first, then OIDC ones, like Entra's responses. */
export function orderScopes(scopes: Iterable<string>): string[] {
  const list = [...new Set(scopes)];
  return [...list.filter((s) => !OIDC_SCOPES.includes(s)), ...OIDC_SCOPES.filter((s) => list.includes(s))];
}
