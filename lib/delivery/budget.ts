import "server-only";
import { db } from "../db";

/**
 * Message trace's own throttling: 100 requests per 5 minutes
 * (learn.microsoft.com/graph/api/messagetracingroot-list-messagetraces, "throttling limit"; the same note
 * on getDetailsByRecipient). The portal counts its requests per tenant in PostgreSQL, so the poll job
 * (one runner per tenant, any instance) and the on-demand detail reads on every instance share one
 * budget, and stops before Microsoft has to refuse. It keeps a margin for people opening detail events.
 */
export const TRACE_LIMIT = 100;
export const TRACE_WINDOW_MS = 5 * 60_000;
/** What the poll job may spend per window; the rest is left for detail events opened on demand. */
export const JOB_SHARE = 80;

/**
 * Takes one request from the tenant's window (a fixed window restarting when it is over), or answers how
 * long to wait. Atomic: one UPDATE … RETURNING on the tenant's row.
 */
export async function takeTraceBudget(tenantId: string, limit = TRACE_LIMIT, now = new Date()): Promise<{ ok: true } | { ok: false; waitMs: number }> {
  await db().traceState.upsert({ where: { tenantId }, create: { tenantId, windowStart: now, used: 0 }, update: {} });
  const expired = new Date(now.getTime() - TRACE_WINDOW_MS);
  const rows = await db().$queryRaw<{ used: number }[]>`
    UPDATE "TraceState" SET
      "used" = CASE WHEN "windowStart" <= ${expired} THEN 1 ELSE "used" + 1 END,
      "windowStart" = CASE WHEN "windowStart" <= ${expired} THEN ${now} ELSE "windowStart" END
    WHERE "tenantId" = ${tenantId}
      AND ("blockedUntil" IS NULL OR "blockedUntil" <= ${now})
      AND ("windowStart" <= ${expired} OR "used" < ${limit})
    RETURNING "used"`;
  if (rows.length) return { ok: true };
  const s = await db().traceState.findUnique({ where: { tenantId }, select: { windowStart: true, blockedUntil: true } });
  const until = Math.max(s?.blockedUntil?.getTime() ?? 0, (s?.windowStart.getTime() ?? now.getTime()) + TRACE_WINDOW_MS);
  return { ok: false, waitMs: Math.max(1, until - now.getTime()) };
}

/** Microsoft answered 429: nobody on any instance asks again before Retry-After has passed. */
export async function blockTrace(tenantId: string, waitMs: number): Promise<void> {
  const until = new Date(Date.now() + waitMs);
  await db().traceState.upsert({ where: { tenantId }, create: { tenantId, blockedUntil: until }, update: { blockedUntil: until } });
}
