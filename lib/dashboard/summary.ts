import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { listCredentials } from "../credentials/list-credentials";
import { grantedMailboxes, SENDING_ROLES } from "../grants/may-send";
import { sendStats } from "../history/send-stats";
import { mailboxQuota } from "./mailbox-quota";
import { nextStep } from "./next-step";
import { sendCounts } from "./send-counts";
import { tenantAttention } from "./tenant-attention";

/** Exchange Online turns SMTP AUTH basic authentication off by default at the end of December 2026. */
export const SMTP_BASIC_AUTH_OFF = new Date("2026-12-31T00:00:00Z");

/**
 * Everything the dashboard shows, each part scoped to the actor where its data lives: sends through
 * History's rule (lib/history/where.ts scopeSql), tenants for admins and auditors only.
 */
export async function dashboardSummary(actor: SessionUser, now = new Date()) {
  const tenantReader = actor.role === "admin" || actor.role === "auditor";
  const [counts, quota, stats, attention, tenantCount, myMailboxes, pendingRequests] = await Promise.all([
    sendCounts(actor, now),
    mailboxQuota(actor, now),
    sendStats(actor, {}, now),
    tenantAttention(actor),
    actor.role === "admin" || actor.role === "auditor" ? db().tenant.count() : Promise.resolve(null),
    SENDING_ROLES.includes(actor.role) ? grantedMailboxes(actor.id).then((ms) => ms.map((m) => m.address)) : Promise.resolve([]),
    actor.role === "admin" ? db().accessRequest.count({ where: { status: "pending" } }) : Promise.resolve(0),
  ]);
  // The next step's inputs, after the rest: the embedded database (PGlite behind one socket server) has
  // failed under many parallel queries ("bind message supplies 2 parameters"), so these add none.
  const credentials = tenantReader ? (await listCredentials(actor)).rows : [];
  const grantedMailboxCount = actor.role === "admin" ? await db().senderMailbox.count({ where: { grants: { some: {} } } }) : 0;
  // Only the app credential a tenant sends with: keys and devices have their own pages (and the expiry card).
  const expiring = credentials.filter((c) => c.type === "tenant" && (c.state === "warning" || c.state === "critical" || c.state === "expired"));
  const canSend = SENDING_ROLES.includes(actor.role);
  return {
    counts,
    quota,
    bars: stats.bars,
    range: stats.range,
    attention,
    tenantCount,
    myMailboxes,
    pendingRequests,
    canSend,
    next: nextStep({ role: actor.role, tenantCount, attention, expiring, grantedMailboxCount, myMailboxes, canSend }),
    daysToBasicAuthOff: Math.max(0, Math.ceil((SMTP_BASIC_AUTH_OFF.getTime() - now.getTime()) / 86_400_000)),
  };
}

export type DashboardSummary = Awaited<ReturnType<typeof dashboardSummary>>;
