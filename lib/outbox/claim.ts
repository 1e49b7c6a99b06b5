import "server-only";
import { randomBytes } from "node:crypto";
import { db } from "../db";
import type { PaceLimits } from "./options";

/**
 * Claims due sends for one worker: FOR UPDATE SKIP LOCKED, so two workers (in one portal or in several
 * instances on the same database) never take the same send. Each candidate is paced per sender mailbox
 * with the MailboxPace row, locked FOR UPDATE so every instance sees the same counts: at most
 * `concurrent` sends of a mailbox in flight (counted from the sends themselves, so a crashed worker
 * cannot leak a slot), `perMinute` per rolling window (`windowMs`, one minute) and `recipientsPerDay` per
 * day. A send that must wait for its window gets nextAttemptAt and stays queued; one that waits only for a
 * free slot stays due, and the worker that frees the slot claims again at once (worker.ts).
 *
 * Per app: at most `perApp` sends of a tenant (one app registration) in flight across every instance —
 * Outlook's concurrency limit in its stricter, per-app reading (options.ts cites both versions). The
 * count is taken under a transaction-scoped advisory lock per tenant, so two instances claiming at once
 * cannot both take the last slot; candidates of a tenant already at its limit are left out of the
 * SELECT, so they do not hide other tenants' sends behind them.
 *
 * Locks are taken in one global order — tenant advisory lock, then that tenant's pace rows by address —
 * so two workers never deadlock. Times come from the database clock (now()).
 *
 * Each claim carries a lease token of its own (the worker id plus a random part, kept in "workerId"):
 * every later write of the try (attempt rows, the draft id, the result, lease renewal) names that
 * token, so a try whose lease expired and was recovered — even when the same worker claimed the send
 * again — can no longer write anything.
 */
export interface Claim {
  id: string;
  /** The lease token: the worker id, "#", and a random part unique to this claim. */
  lease: string;
}

interface Candidate {
  id: string;
  tenantId: string;
  address: string;
  recipientCount: number;
  now: Date;
}

interface PaceRow {
  windowStart: Date;
  sentInWindow: number;
  recipientsToday: number;
  dayStart: Date;
}

/** A mailbox's message window as the claim counts it: `windowMs` plus one second of slack per minute (see claimSends). */
const paceSpanMs = (pace: PaceLimits): number => {
  const windowMs = pace.windowMs ?? 60_000;
  return windowMs + Math.ceil(windowMs / 60);
};

/** Advisory-lock key space of the per-app slot count (pg_advisory_xact_lock(int, int)). */
const APP_LOCK_SPACE = 0x676d_7001;

export async function claimSends(workerId: string, o: { limit: number; leaseMs: number; pace: PaceLimits; only?: string }): Promise<Claim[]> {
  if (o.limit <= 0) return [];
  const perApp = o.pace.perApp ?? null;
  // The window is counted from the claim, Exchange counts from the message's arrival a moment later:
  // one second of slack per minute keeps a new window's first message from arriving while the previous
  // window's first is still inside Exchange's 60 s (the rate then reaches 60/61 of the limit at most).
  const spanMs = paceSpanMs(o.pace);
  // No more candidates than one app could take (each costs a few statements under the lock).
  const take = Math.min(o.limit, perApp ?? o.limit);
  return db().$transaction(async (tx) => {
    const only = o.only ?? null;
    // Apps and mailboxes already at their concurrency limit are computed once (the sends in flight are
    // few), and mailboxes whose message window is full are skipped too: their sends stay queued without
    // a statement each, and the worker wakes when the window ends (nextDueAt).
    const rows = await tx.$queryRaw<Candidate[]>`
      WITH inflight AS (
        SELECT "tenantId", lower("fromAddress") AS address, count(*)::int AS n FROM "Send"
        WHERE status = 'sending' AND "lockedUntil" > now() GROUP BY 1, 2
      ),
      full_apps AS (SELECT "tenantId" FROM inflight GROUP BY 1 HAVING ${perApp}::int IS NOT NULL AND sum(n) >= ${perApp}::int),
      full_boxes AS (SELECT "tenantId", address FROM inflight WHERE n >= ${o.pace.concurrent}::int)
      SELECT id, "tenantId", lower("fromAddress") AS address, "recipientCount", now() AS now
      FROM "Send" s
      WHERE status IN ('queued', 'retrying') AND ("nextAttemptAt" IS NULL OR "nextAttemptAt" <= now())
        AND (${only}::text IS NULL OR id = ${only}::text)
        AND NOT EXISTS (SELECT 1 FROM full_apps f WHERE f."tenantId" = s."tenantId")
        AND NOT EXISTS (SELECT 1 FROM full_boxes f WHERE f."tenantId" = s."tenantId" AND f.address = lower(s."fromAddress"))
        AND NOT EXISTS (SELECT 1 FROM "MailboxPace" p WHERE p."tenantId" = s."tenantId" AND p.address = lower(s."fromAddress")
              AND p."sentInWindow" >= ${o.pace.perMinute}::int AND p."windowStart" > now() - ${spanMs} * interval '1 millisecond')
      ORDER BY "createdAt"
      LIMIT ${take}
      FOR UPDATE OF s SKIP LOCKED`;
    const claimed: Claim[] = [];
    const key = (x: Candidate) => `${x.tenantId}\u0000${x.address}`;
    rows.sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
    const appInFlight = new Map<string, number>();
    for (const r of rows) {
      const now = r.now.getTime();
      if (perApp !== null && !appInFlight.has(r.tenantId)) {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${APP_LOCK_SPACE}::int, hashtext(${r.tenantId}))`;
        const [{ n } = { n: 0 }] = await tx.$queryRaw<{ n: number }[]>`
          SELECT count(*)::int AS n FROM "Send" WHERE status = 'sending' AND "tenantId" = ${r.tenantId} AND "lockedUntil" > now()`;
        appInFlight.set(r.tenantId, n);
      }
      // The app is at its limit: the send stays due; a freed slot wakes the workers (worker.ts).
      if (perApp !== null && appInFlight.get(r.tenantId)! >= perApp) continue;
      await tx.$executeRaw`INSERT INTO "MailboxPace" ("tenantId", address) VALUES (${r.tenantId}, ${r.address}) ON CONFLICT DO NOTHING`;
      const [p] = await tx.$queryRaw<PaceRow[]>`
        SELECT "windowStart", "sentInWindow", "recipientsToday", "dayStart" FROM "MailboxPace"
        WHERE "tenantId" = ${r.tenantId} AND address = ${r.address} FOR UPDATE`;
      const [{ n: inFlight } = { n: 0 }] = await tx.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM "Send"
        WHERE status = 'sending' AND "tenantId" = ${r.tenantId} AND lower("fromAddress") = ${r.address} AND "lockedUntil" > now()`;
      if (inFlight >= o.pace.concurrent) continue;
      const sameWindow = !!p && now - p.windowStart.getTime() < spanMs;
      const windowStart = sameWindow ? p.windowStart.getTime() : now;
      const sentInWindow = sameWindow ? p.sentInWindow : 0;
      const sameDay = !!p && now - p.dayStart.getTime() < 86_400_000;
      const dayStart = sameDay ? p.dayStart.getTime() : now;
      const recipientsToday = sameDay ? p.recipientsToday : 0;

      let waitUntil: number | null = null;
      if (sentInWindow >= o.pace.perMinute) waitUntil = windowStart + spanMs;
      else if (recipientsToday + r.recipientCount > o.pace.recipientsPerDay) waitUntil = dayStart + 86_400_000;
      if (waitUntil !== null) {
        await tx.$executeRaw`UPDATE "MailboxPace" SET "nextAllowedAt" = ${new Date(waitUntil)}, "inFlight" = ${inFlight} WHERE "tenantId" = ${r.tenantId} AND address = ${r.address}`;
        await tx.$executeRaw`UPDATE "Send" SET "nextAttemptAt" = ${new Date(waitUntil)}, "updatedAt" = now() WHERE id = ${r.id}`;
        continue;
      }
      await tx.$executeRaw`
        UPDATE "MailboxPace" SET "windowStart" = ${new Date(windowStart)}, "sentInWindow" = ${sentInWindow + 1},
          "dayStart" = ${new Date(dayStart)}, "recipientsToday" = ${recipientsToday + r.recipientCount}, "inFlight" = ${inFlight + 1}, "nextAllowedAt" = now()
        WHERE "tenantId" = ${r.tenantId} AND address = ${r.address}`;
      const lease = `${workerId}#${randomBytes(8).toString("hex")}`;
      await tx.$executeRaw`
        UPDATE "Send" SET status = 'sending', "workerId" = ${lease}, "lockedUntil" = now() + ${o.leaseMs} * interval '1 millisecond',
          "nextAttemptAt" = NULL, "updatedAt" = now()
        WHERE id = ${r.id}`;
      if (perApp !== null) appInFlight.set(r.tenantId, appInFlight.get(r.tenantId)! + 1);
      claimed.push({ id: r.id, lease });
    }
    return claimed;
  }, { maxWait: 10_000, timeout: 30_000 });
}

/**
 * The earliest time a waiting send becomes due (for the worker's next wake-up), or null: a send's own
 * nextAttemptAt (paced, or retrying after Retry-After), or the end of a full message window of a
 * mailbox that has sends queued.
 */
export async function nextDueAt(pace: PaceLimits): Promise<Date | null> {
  const spanMs = paceSpanMs(pace);
  const [row] = await db().$queryRaw<{ at: Date | null }[]>`
    SELECT least(
      (SELECT min("nextAttemptAt") FROM "Send" WHERE status IN ('queued', 'retrying') AND "nextAttemptAt" > now()),
      (SELECT min(p."windowStart") + ${spanMs} * interval '1 millisecond' FROM "MailboxPace" p
        WHERE p."sentInWindow" >= ${pace.perMinute}::int AND p."windowStart" > now() - ${spanMs} * interval '1 millisecond'
          AND EXISTS (SELECT 1 FROM "Send" s WHERE s.status IN ('queued', 'retrying') AND s."tenantId" = p."tenantId" AND lower(s."fromAddress") = p.address))
    ) AS at`;
  return row?.at ?? null;
}

/** Keeps a claim alive while the worker is busy (large uploads take a while). */
export async function renewLease(sendId: string, lease: string, leaseMs: number): Promise<boolean> {
  const n = await db().$executeRaw`
    UPDATE "Send" SET "lockedUntil" = now() + ${leaseMs} * interval '1 millisecond'
    WHERE id = ${sendId} AND "workerId" = ${lease} AND status = 'sending'`;
  return n > 0;
}
