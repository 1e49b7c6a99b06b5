import "server-only";
import type { Prisma } from "@/generated/prisma/client";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { forbidden } from "../errors";

/** Where Exchange's own restriction (application access policy / RBAC for Applications) stands for a mailbox. */
export type RestrictionState = "proved" | "not proved" | "outside the restriction";

export interface GrantView {
  id: string;
  kind: "user" | "group" | "apiKey";
  principalId: string;
  /** What a person reads: a user's name (or address), a group's or key's name. */
  name: string;
  email: string | null;
  /** Users only: a disabled user keeps the grant but sends nothing while disabled. */
  disabled: boolean;
  /** Groups only. */
  memberCount: number | null;
}

export interface MailboxView {
  id: string;
  address: string;
  displayName: string | null;
  kind: string;
  allowed: boolean;
  policyStatus: string;
  lastCheckedAt: Date | null;
  restriction: RestrictionState;
  grants: GrantView[];
}

/**
 * The restriction label. `allowed = false` wins over an older proof: the mailbox was taken out of the
 * restriction (Setup → Restrict senders) after it was proved, so Exchange now refuses it.
 */
export function restrictionState(m: { allowed: boolean; policyStatus: string }): RestrictionState {
  if (!m.allowed) return "outside the restriction";
  return m.policyStatus === "allowed" || m.policyStatus === "proved" ? "proved" : "not proved";
}

const grantSelect = {
  id: true,
  user: { select: { id: true, name: true, email: true, disabled: true } },
  group: { select: { id: true, name: true, _count: { select: { members: true } } } },
  apiKey: { select: { id: true, name: true } },
} satisfies Prisma.SenderGrantSelect;

type GrantRow = Prisma.SenderGrantGetPayload<{ select: typeof grantSelect }>;

function grantView(g: GrantRow): GrantView | null {
  const base = { id: g.id, email: null, disabled: false, memberCount: null };
  if (g.user) {
    const { id, name, email, disabled } = g.user;
    return { ...base, kind: "user", principalId: id, name: name || email, email, disabled };
  }
  if (g.group) return { ...base, kind: "group", principalId: g.group.id, name: g.group.name, memberCount: g.group._count.members };
  if (g.apiKey) return { ...base, kind: "apiKey", principalId: g.apiKey.id, name: g.apiKey.name };
  return null; // the one-principal CHECK constraint makes this unreachable
}

const contains = (q: string) => ({ contains: q, mode: "insensitive" as const });

/**
 * Every sender mailbox of one tenant with who may send as it. With `q`, the mailboxes whose address
 * matches (with all their grants) and those with a matching grantee (with the matching grants only).
 * Admins and auditors may read it.
 */
export async function listSenderGrants(actor: SessionUser, input: { tenantId: string; q?: string }): Promise<MailboxView[]> {
  if (actor.role !== "admin" && actor.role !== "auditor") throw forbidden("see who may send as which mailbox");
  const q = input.q?.trim() ?? "";
  const granteeMatch: Prisma.SenderGrantWhereInput = {
    OR: [
      { user: { OR: [{ name: contains(q) }, { email: contains(q) }] } },
      { group: { name: contains(q) } },
      { apiKey: { name: contains(q) } },
    ],
  };
  const rows = await db().senderMailbox.findMany({
    where: { tenantId: input.tenantId, ...(q ? { OR: [{ address: contains(q) }, { grants: { some: granteeMatch } }] } : {}) },
    orderBy: { address: "asc" },
    select: {
      id: true, address: true, displayName: true, kind: true, allowed: true, policyStatus: true, lastCheckedAt: true,
      grants: { select: grantSelect, orderBy: { createdAt: "asc" } },
    },
  });
  const needle = q.toLowerCase();
  const matches = (g: GrantView) => g.name.toLowerCase().includes(needle) || (g.email?.toLowerCase().includes(needle) ?? false);
  return rows.map(({ grants, ...m }) => {
    const views = grants.map(grantView).filter((g): g is GrantView => g !== null);
    const shown = !q || m.address.toLowerCase().includes(needle) ? views : views.filter(matches);
    return { ...m, restriction: restrictionState(m), grants: shown };
  });
}
