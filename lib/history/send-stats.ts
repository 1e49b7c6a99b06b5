import "server-only";
import { Prisma } from "@/generated/prisma/client";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import type { HistoryFilter } from "../schemas/history";
import { chartRange } from "./chart-range";
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

/**
 * Sends per day by status — accepted ones split into delivered and failed after acceptance when message
 * trace said so (lib/delivery) — and per sender the busiest minute and busiest day, for the filtered view
 * in the chart's range. Volume counts sends that reached Graph (accepted or uncertain), as Exchange does.
 */
export async function sendStats(actor: SessionUser, filter: HistoryFilter, now = new Date()) {
  const range = chartRange(filter, now);
  const where = filterSql(actor, { ...filter, from: range.from, to: range.to });
  const perDay = await db().$queryRaw<{ day: string; status: string; n: number }[]>(Prisma.sql`
    SELECT to_char(s."createdAt", 'YYYY-MM-DD') AS day,
      CASE WHEN s.status = 'accepted' AND s."deliveryState" = 'delivered' THEN 'delivered'
           WHEN s.status = 'accepted' AND s."deliveryState" = 'failed' THEN 'undelivered'
           ELSE s.status::text END AS status,
      count(*)::int AS n
    FROM "Send" s WHERE ${where} GROUP BY 1, 2`);
  const bars: DayBar[] = range.days.map((day) => ({ day, counts: {} }));
  const byDay = new Map(bars.map((b) => [b.day, b]));
  for (const r of perDay) {
    const bar = byDay.get(r.day);
    if (bar) bar.counts[r.status] = r.n;
  }
  const senders = await db().$queryRaw<SenderVolume[]>(Prisma.sql`
    WITH sent AS (
      SELECT lower(s."fromAddress") AS address, coalesce(s."completedAt", s."createdAt") AS at, s."recipientCount" AS rc
      FROM "Send" s WHERE ${where} AND s.status IN ('accepted', 'uncertain')
    ),
    per_minute AS (SELECT address, max(n) AS peak FROM (SELECT address, count(*) AS n FROM sent GROUP BY address, date_trunc('minute', at)) m GROUP BY address),
    per_day AS (SELECT address, max(r) AS peak FROM (SELECT address, sum(rc) AS r FROM sent GROUP BY address, date_trunc('day', at)) d GROUP BY address)
    SELECT sent.address, count(*)::int AS sends, max(pm.peak)::int AS "peakPerMinute", max(pd.peak)::int AS "peakRecipientsPerDay"
    FROM sent JOIN per_minute pm USING (address) JOIN per_day pd USING (address)
    GROUP BY sent.address ORDER BY sends DESC, sent.address LIMIT 10`);
  return { range, bars, senders };
}
