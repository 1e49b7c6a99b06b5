import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { loadTenantAccess } from "../graph/tenant-access";
import { appToken, decodeClaims } from "../graph/tokens";
import { hasDelegatedGrant } from "../graph/delegated-token";
import { DEFAULT_MAILBOX_LIMIT } from "../schemas/compose";

/**
 * What the compose page offers the caller, per tenant: application senders (admins: every tenant;
 * senders: their own), the person's own address for delegated sending when they signed in with
 * Microsoft there and the portal holds their grant, and warnings read from the app token's roles
 * (decoded for display only): large attachments need Mail.ReadWrite.
 */
export interface ComposeTenant {
  id: string;
  name: string;
  senders: { address: string; kind: string; displayName: string | null }[];
  delegated: { address: string; granted: boolean } | null;
  /** null when the app's permissions could not be read. */
  largeFilesAllowed: boolean | null;
  mailboxLimitBytes: number;
}

async function appRoles(tenantId: string): Promise<string[] | null> {
  try {
    const { accessToken } = await appToken(await loadTenantAccess(tenantId));
    const roles = decodeClaims(accessToken).roles;
    return Array.isArray(roles) ? roles.map(String) : [];
  } catch {
    return null;
  }
}

export async function composeOptions(actor: SessionUser): Promise<ComposeTenant[]> {
  if (actor.role !== "admin" && actor.role !== "sender") return [];
  const tenants = await db().tenant.findMany({
    where: { clientId: { not: null }, ...(actor.role === "admin" ? {} : { id: actor.tenantId ?? "-" }) },
    select: { id: true, name: true, useApplication: true, useDelegated: true, senders: { where: { allowed: true }, select: { address: true, kind: true, displayName: true }, orderBy: { address: "asc" } } },
    orderBy: { name: "asc" },
  });
  return Promise.all(
    tenants.map(async (t) => {
      const roles = t.useApplication ? await appRoles(t.id) : null;
      const mine = t.useDelegated && actor.tenantId === t.id;
      return {
        id: t.id,
        name: t.name,
        senders: t.useApplication ? t.senders : [],
        delegated: mine ? { address: actor.email.toLowerCase(), granted: await hasDelegatedGrant(t.id, actor.id) } : null,
        largeFilesAllowed: roles === null ? null : roles.includes("Mail.ReadWrite"),
        mailboxLimitBytes: DEFAULT_MAILBOX_LIMIT,
      };
    }),
  );
}
