import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { loadTenantAccess } from "../graph/tenant-access";
import { appToken, decodeClaims } from "../graph/tokens";
import { hasDelegatedGrant } from "../graph/delegated-token";
import { grantedMailboxes, SENDING_ROLES } from "../grants/may-send";
import { readWizardData } from "../tenants/wizard/wizard-data";

/**
 * What the compose page offers the caller, per tenant: the sender mailboxes granted to them (to them
 * or to a portal group they belong to — lib/grants/may-send.ts), the person's own address for delegated sending when they signed in with
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
  /**
   * The sender mailboxes' message size limit as the admin set it for the tenant (Settings → Message size):
   * Graph v1.0 does not expose a mailbox's MaxSendSize, so this is a tenant-wide value, 35 MB by default.
   */
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
  if (!SENDING_ROLES.includes(actor.role)) return [];
  // Only what this person was granted (admins included), plus their own address where delegated sending is on.
  const granted = await grantedMailboxes(actor.id);
  const tenants = await db().tenant.findMany({
    where: { clientId: { not: null }, OR: [{ id: { in: [...new Set(granted.map((m) => m.tenantId))] } }, { id: actor.tenantId ?? "-", useDelegated: true }] },
    select: { id: true, name: true, useApplication: true, useDelegated: true, maxSendSizeBytes: true, wizardData: true },
    orderBy: { name: "asc" },
  });
  return Promise.all(
    tenants.map(async (t) => {
      // On the RBAC path the token carries no roles: Mail.ReadWrite comes from an Exchange role assignment the
      // token cannot show, so the portal does not guess (null), and Graph's answer decides.
      const rbac = readWizardData(t.wizardData).restriction?.method === "rbac";
      const roles = t.useApplication && !rbac ? await appRoles(t.id) : null;
      const mine = t.useDelegated && actor.tenantId === t.id;
      return {
        id: t.id,
        name: t.name,
        senders: t.useApplication ? granted.filter((m) => m.tenantId === t.id).map(({ address, kind, displayName }) => ({ address, kind, displayName })) : [],
        delegated: mine ? { address: actor.email.toLowerCase(), granted: await hasDelegatedGrant(t.id, actor.id) } : null,
        largeFilesAllowed: roles === null ? null : roles.includes("Mail.ReadWrite"),
        mailboxLimitBytes: t.maxSendSizeBytes,
      };
    }),
  );
}
