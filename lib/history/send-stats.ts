import "server-only";
import { Prisma } from "@/generated/prisma/client";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import type { HistoryFilter } from "../schemas/history";
import { isKeyViewer, seesAllSends, type KeyViewer } from "../sends/visibility";
import { chartRange } from "./chart-range";
import { foldSendCounts } from "./fold-send-counts";
import { logWarn } from "../log";
import { filterSql } from "./where";

export interface DayBar {
  day: string;
  counts: Record<string, number>;
}

export interface SenderVolume {
  address: string;
  sends: number;
  peakPerMinute: number;
  peakRecipientsPerDay: number;
}

export interface SendStats {
  range: ReturnType<typeof chartRange>;
  bars: DayBar[];
  senders: SenderVolume[];
  /**
   * "view": each busiest minute counts the sends in view. "mailbox": the view is narrowed by something a
   * mailbox's minute is not kept by (status, mode, delivery, person, key, device), so it is the mailbox's
   * busiest minute over these days — what Exchange's per-mailbox limit is about anyway.
   */
  peakScope: "view" | "mailbox";
}

// Sends that reached Graph: what Exchange counts against a mailbox's limits.
const REACHED = Prisma.sql`s."status" IN ('accepted', 'uncertain')`;

function toBars(range: SendStats["range"], perDay: { day: string; status: string; n: number }[]): DayBar[] {
  const bars: DayBar[] = range.days.map((day) => ({ day, counts: {} }));
  const byDay = new Map(bars.map((b) => [b.day, b]));
  for (const r of perDay) {
    const bar = byDay.get(r.day);
    if (bar && r.n !== 0) bar.counts[r.status] = r.n;
  }
  return bars;
}

/**
 * Sends per day by status — accepted ones split into delivered and failed after acceptance when message
 * trace said so (lib/delivery) — and per sender the busiest minute and busiest day, for the filtered view
 * in the chart's range. Volume counts sends that reached Graph (accepted or uncertain), as Exchange does.
 * Days are UTC days of createdAt, and a busiest minute counts the sends created that day.
 *
 * Read from the day rollups (migration 20261207090000) plus the deltas not folded yet, so every count is
 * exact; a search or a recipient filter, which the rollups cannot answer, runs the live query (sendStatsLive).
 */
export async function sendStats(actor: SessionUser | KeyViewer, filter: HistoryFilter, now = new Date()): Promise<SendStats> {
  const range = chartRange(filter, now);
  const f: HistoryFilter = { ...filter, from: range.from, to: range.to };
  if (f.q || f.recipient) return sendStatsLive(actor, f, now);
  // Fold what is pending, if no one else is folding (never waits): the busiest minutes are kept only in the
  // rollup, so this is what makes them current. Counts are exact whether or not a fold has committed (the fold
  // moves deltas into rollups in one transaction, and each count is one statement), so they run meanwhile.
  const folded = foldSendCounts().catch((err: unknown) => logWarn("history chart: fold skipped", { error: err instanceof Error ? err.message : String(err) }));

  const all = !isKeyViewer(actor) && seesAllSends(actor);
  const narrowed = Boolean(f.status || f.mode || f.delivery || f.actor || f.key || f.device);
  const where = filterSql(actor, f, "rollup");
  // An admin's or auditor's view narrowed only by tenant, dates and tests reads the small per-day tables;
  // anything else (a sender's own view, a status, a person…) the per-combination counts.
  const barsSource =
    all && !narrowed && !f.sender
      ? Prisma.sql`SELECT s."day", s."bucket", s."sends" FROM "SendDayStatus" s WHERE ${where}`
      : Prisma.sql`SELECT s."day", send_chart_bucket(s."status", s."deliveryState"), s."sends" FROM "SendDayCount" s WHERE ${where}`;
  const senderSource =
    all && !narrowed
      ? Prisma.sql`SELECT s."address", s."day", s."sends", s."recipients" FROM "SendDaySender" s WHERE ${where}`
      : Prisma.sql`SELECT s."address", s."day", s."sends", s."recipients" FROM "SendDayCount" s WHERE ${where} AND ${REACHED}`;
  const [perDay, volume] = await Promise.all([
    db().$queryRaw<{ day: string; status: string; n: number }[]>(Prisma.sql`
      SELECT to_char(x.day, 'YYYY-MM-DD') AS day, x.bucket AS status, sum(x.n)::int AS n
      FROM (${barsSource}
            UNION ALL
            SELECT s."day", send_chart_bucket(s."status", s."deliveryState"), s."sends" FROM "SendCountDelta" s WHERE ${where}) x(day, bucket, n)
      GROUP BY 1, 2`),
    db().$queryRaw<Omit<SenderVolume, "peakPerMinute">[]>(Prisma.sql`
      WITH per_day AS (
        SELECT x.address, x.day, sum(x.n) AS n, sum(x.r) AS r
        FROM (${senderSource}
              UNION ALL
              SELECT s."address", s."day", s."sends", s."recipients" FROM "SendCountDelta" s WHERE ${where} AND ${REACHED}) x(address, day, n, r)
        GROUP BY 1, 2
      )
      SELECT address, sum(n)::int AS sends, max(r)::int AS "peakRecipientsPerDay"
      FROM per_day GROUP BY address HAVING sum(n) > 0
      ORDER BY sends DESC, address LIMIT 10`),
  ]);
  await folded;
  const addresses = volume.map((v) => v.address);
  let peaks: { address: string; peak: number }[] = [];
  if (addresses.length > 0 && all) {
    // The mailbox's busiest minute, kept per tenant, day and tests flag: only the tenant, tests and dates of
    // the filter apply (a mailbox belongs to one Microsoft 365 tenant, so per tenant is per mailbox). With the
    // wizard's tests included it is the larger of the two flags' minutes, not their sum in one minute (the
    // tests are a handful of sends, a setup's worth).
    const mailboxWhere = filterSql(actor, { tenant: f.tenant, tests: f.tests, from: f.from, to: f.to }, "rollup");
    peaks = await db().$queryRaw(Prisma.sql`
      SELECT s."address", max(s."peakPerMinute")::int AS peak FROM "SendDaySender" s
      WHERE ${mailboxWhere} AND s."address" IN (${Prisma.join(addresses)}) GROUP BY 1`);
  } else if (addresses.length > 0) {
    // A sender or an API key (anyone who sees only their own sends) never learns another's traffic from the chart: their
    // busiest minute is counted live from their own rows (scopeSql in filterSql), a small slice by index.
    peaks = await db().$queryRaw(Prisma.sql`
      SELECT x.address, max(x.n)::int AS peak FROM (
        SELECT lower(s."fromAddress") AS address, count(*) AS n FROM "Send" s
        WHERE ${filterSql(actor, f)} AND ${REACHED} AND lower(s."fromAddress") IN (${Prisma.join(addresses)})
        GROUP BY 1, s."createdAt"::date, date_trunc('minute', coalesce(s."completedAt", s."createdAt"))) x
      GROUP BY 1`);
  }
  const peakOf = new Map(peaks.map((p) => [p.address, p.peak]));
  return {
    range,
    bars: toBars(range, perDay),
    senders: volume.map((v) => ({ ...v, peakPerMinute: peakOf.get(v.address) ?? 0 })),
    peakScope: all && narrowed ? "mailbox" : "view",
  };
}

/**
 * The chart computed from every send in range: the fallback for a search or recipient filter (their rows are
 * few), and the reference the rollups are tested against (tests/integration/history-rollups.test.ts).
 */
export async function sendStatsLive(actor: SessionUser | KeyViewer, filter: HistoryFilter, now = new Date()): Promise<SendStats> {
  const range = chartRange(filter, now);
  const where = filterSql(actor, { ...filter, from: range.from, to: range.to });
  const perDay = await db().$queryRaw<{ day: string; status: string; n: number }[]>(Prisma.sql`
    SELECT to_char(s."createdAt", 'YYYY-MM-DD') AS day, send_chart_bucket(s."status", s."deliveryState") AS status, count(*)::int AS n
    FROM "Send" s WHERE ${where} GROUP BY 1, 2`);
  const senders = await db().$queryRaw<SenderVolume[]>(Prisma.sql`
    WITH sent AS (
      SELECT lower(s."fromAddress") AS address, s."createdAt"::date AS day, date_trunc('minute', coalesce(s."completedAt", s."createdAt")) AS minute, s."recipientCount" AS rc
      FROM "Send" s WHERE ${where} AND ${REACHED}
    ),
    per_minute AS (SELECT address, max(n) AS peak FROM (SELECT address, count(*) AS n FROM sent GROUP BY address, day, minute) m GROUP BY address),
    per_day AS (SELECT address, max(r) AS peak FROM (SELECT address, sum(rc) AS r FROM sent GROUP BY address, day) d GROUP BY address)
    SELECT sent.address, count(*)::int AS sends, max(pm.peak)::int AS "peakPerMinute", max(pd.peak)::int AS "peakRecipientsPerDay"
    FROM sent JOIN per_minute pm USING (address) JOIN per_day pd USING (address)
    GROUP BY sent.address ORDER BY sends DESC, sent.address LIMIT 10`);
  return { range, bars: toBars(range, perDay), senders, peakScope: "view" };
}
