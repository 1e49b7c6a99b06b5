import "server-only";
import type { SessionUser } from "@/lib/auth/session";
import { graphClient } from "@/lib/graph/client";
import { graphCall } from "@/lib/graph/send-call";
import { loadTenantAccess } from "@/lib/graph/tenant-access";
import { appToken } from "@/lib/graph/tokens";
import { isEmail } from "@/lib/schemas/common";
import { requireAdmin } from "./require-admin";

export interface DirectoryEntry { address: string; displayName: string }
export interface DirectoryChoices {
  /** Users and shared mailboxes with a mail address (graph/api/user-list). */
  mailboxes: DirectoryEntry[];
  /** Mail-enabled security groups: the only groups an access policy can be scoped to. */
  groups: DirectoryEntry[];
  /** Why a list could not be read (then the form falls back to typed addresses), null when both were. */
  unavailable: string | null;
}

const TIMEOUT_MS = 10_000;
// One page is plenty for a picker; beyond it the admin types the address (the field stays free text).
const TOP = 200;

/**
 * The Restrict step's pickers, read from Microsoft Graph with the app's own token:
 *   GET /users?$select=id,displayName,mail,userPrincipalName&$top=200          (learn graph/api/user-list)
 *   GET /groups?$filter=mailEnabled eq true and securityEnabled eq true&$select=id,displayName,mail
 *                                                                               (learn graph/api/group-list;
 *   mailEnabled+securityEnabled is how Graph tells a mail-enabled security group, learn graph/api/resources/groups-overview)
 * Listing needs a directory read permission (User.ReadBasic.All / GroupMember.Read.All or wider) the
 * portal does not ask for on its own; without one Graph answers 403 Authorization_RequestDenied and the
 * form keeps typed addresses, saying why. Never throws: the pickers are a convenience, not a step.
 */
export async function directoryChoices(actor: SessionUser, tenantId: string): Promise<DirectoryChoices> {
  requireAdmin(actor);
  let client: ReturnType<typeof graphClient>;
  try {
    const access = await loadTenantAccess(tenantId);
    const { accessToken } = await appToken(access);
    client = graphClient(access, async () => accessToken);
  } catch {
    return { mailboxes: [], groups: [], unavailable: "The portal could not get a token for the tenant yet: type the addresses." };
  }
  const list = async (path: string) => {
    const r = await graphCall(client, { method: "GET", path, timeoutMs: TIMEOUT_MS });
    if (!r.ok) return { rows: [] as { displayName?: string | null; mail?: string | null }[], status: r.status, code: r.failure?.graphCode ?? null };
    return { rows: ((r.body ?? {}) as { value?: { displayName?: string | null; mail?: string | null }[] }).value ?? [], status: 200, code: null };
  };
  const [users, groups] = await Promise.all([
    list(`/users?$select=id,displayName,mail,userPrincipalName&$top=${TOP}`),
    list(`/groups?$filter=${encodeURIComponent("mailEnabled eq true and securityEnabled eq true")}&$select=id,displayName,mail&$top=${TOP}`),
  ]);
  const entries = (rows: { displayName?: string | null; mail?: string | null }[]) =>
    rows
      .map((u) => ({ address: (u.mail ?? "").trim().toLowerCase(), displayName: u.displayName ?? "" }))
      .filter((u) => isEmail(u.address))
      .sort((a, b) => a.address.localeCompare(b.address));
  const refused = [users.status !== 200 ? "mailboxes (User.ReadBasic.All)" : null, groups.status !== 200 ? "groups (GroupMember.Read.All)" : null].filter(Boolean);
  return {
    mailboxes: entries(users.rows),
    groups: entries(groups.rows),
    unavailable: refused.length ? `The app may not list the tenant's ${refused.join(" or ")}: Microsoft answered ${users.status !== 200 ? users.status ?? "nothing" : groups.status ?? "nothing"}${(users.code ?? groups.code) ? ` ${users.code ?? groups.code}` : ""}. Type the addresses instead.` : null,
  };
}
