import "server-only";
import type { Admission, Role } from "@/generated/prisma/enums";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { forbidden } from "../errors";

/** Decided requests stay listed this long, so an admin sees what a colleague just did. */
const RECENT_DECISIONS_DAYS = 30;
const LIST_LIMIT = 100;

export interface InvitationItem {
  id: string;
  email: string;
  role: Role;
  status: "open" | "accepted" | "expired";
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
}

export interface RequestItem {
  id: string;
  email: string;
  name: string | null;
  status: "pending" | "approved" | "rejected";
  role: Role | null;
  requestedAt: Date;
  lastTriedAt: Date;
  decidedAt: Date | null;
  decidedBy: string | null;
}

export interface TenantAdmission {
  id: string;
  name: string;
  admission: Admission;
  admissionRole: Role;
  invitations: InvitationItem[];
  pending: RequestItem[];
  decided: RequestItem[];
}

/**
 * Per tenant: how people get in, the invitations that are not revoked (open, accepted, expired) and the
 * access requests waiting for a decision, with the recently decided ones. Admins only; view objects.
 */
export async function listAdmission(actor: SessionUser): Promise<{ tenants: TenantAdmission[]; pendingCount: number }> {
  if (actor.role !== "admin") throw forbidden("manage who gets in");
  const now = new Date();
  const since = new Date(now.getTime() - RECENT_DECISIONS_DAYS * 24 * 60 * 60 * 1000);
  // Admission matters where people can sign in with Microsoft (lib/tenants/find-sign-in-tenants.ts), or
  // where someone is already invited or waiting.
  const tenants = await db().tenant.findMany({
    where: { OR: [{ clientId: { not: null }, credentialKind: "secret" }, { invitations: { some: {} } }, { accessRequests: { some: {} } }] },
    orderBy: { name: "asc" },
    select: {
      id: true,
      name: true,
      admission: true,
      admissionRole: true,
      invitations: {
        where: { revokedAt: null },
        orderBy: { createdAt: "desc" },
        take: LIST_LIMIT,
        select: { id: true, email: true, role: true, createdAt: true, expiresAt: true, acceptedAt: true },
      },
    },
  });
  const requestSelect = { id: true, tenantId: true, email: true, name: true, status: true, role: true, requestedAt: true, lastTriedAt: true, decidedAt: true, decidedById: true } as const;
  const [pendingRows, decidedRows, pendingCount] = await Promise.all([
    db().accessRequest.findMany({ where: { status: "pending" }, orderBy: { requestedAt: "asc" }, take: LIST_LIMIT * 5, select: requestSelect }),
    db().accessRequest.findMany({ where: { status: { not: "pending" }, decidedAt: { gte: since } }, orderBy: { decidedAt: "desc" }, take: LIST_LIMIT, select: requestSelect }),
    db().accessRequest.count({ where: { status: "pending" } }),
  ]);
  const deciderIds = [...new Set(decidedRows.map((r) => r.decidedById).filter((v): v is string => Boolean(v)))];
  const deciders = new Map(
    (await db().user.findMany({ where: { id: { in: deciderIds } }, select: { id: true, name: true, email: true } })).map((u) => [u.id, u.name ?? u.email]),
  );
  const toItem = ({ decidedById, status, tenantId: _tenantId, ...r }: (typeof pendingRows)[number]): RequestItem => ({
    ...r,
    status: status === "approved" || status === "rejected" ? status : "pending",
    decidedBy: decidedById ? (deciders.get(decidedById) ?? "a removed user") : null,
  });

  const views = tenants.map(({ invitations, ...t }) => ({
    ...t,
    invitations: invitations.map((i): InvitationItem => ({ ...i, status: i.acceptedAt ? "accepted" : i.expiresAt > now ? "open" : "expired" })),
    pending: pendingRows.filter((r) => r.tenantId === t.id).map(toItem),
    decided: decidedRows.filter((r) => r.tenantId === t.id).map(toItem),
  }));
  return { tenants: views, pendingCount };
}
