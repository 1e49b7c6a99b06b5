import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { listTenants } from "../tenants/list-tenants";
import { listedSendsWhere } from "../sends/visibility";
import { grantedMailboxes, SENDING_ROLES } from "../grants/may-send";

/** Exchange Online turns SMTP AUTH basic authentication off by default at the end of December 2026. */
export const SMTP_BASIC_AUTH_OFF = new Date("2026-12-31T00:00:00Z");

export async function dashboardSummary(actor: SessionUser, now = new Date()) {
  const tenants = await listTenants(actor);
  const since = new Date(now.getTime() - 24 * 60 * 60 * 1000);
  const byStatus = await db().send.groupBy({ by: ["status"], where: { createdAt: { gte: since }, ...listedSendsWhere(actor) }, _count: { _all: true } });
  const soon = new Date(now.getTime() + 30 * 24 * 60 * 60 * 1000);
  const expiring = tenants.filter((t) => t.credentialExpires && t.credentialExpires < soon);
  // Who may send as what, from the person's side: their grants, and for admins the people waiting to get in.
  const myMailboxes = SENDING_ROLES.includes(actor.role) ? (await grantedMailboxes(actor.id)).map((m) => m.address) : [];
  const pendingRequests = actor.role === "admin" ? await db().accessRequest.count({ where: { status: "pending" } }) : 0;
  return {
    tenants,
    myMailboxes,
    pendingRequests,
    sends24h: Object.fromEntries(byStatus.map((r) => [r.status, r._count._all])) as Record<string, number>,
    expiring,
    daysToBasicAuthOff: Math.max(0, Math.ceil((SMTP_BASIC_AUTH_OFF.getTime() - now.getTime()) / 86_400_000)),
  };
}
