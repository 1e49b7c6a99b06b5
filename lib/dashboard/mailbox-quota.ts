import "server-only";
import { Prisma } from "@/generated/prisma/client";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { pgTimestamp } from "../history/cursor";
import { scopeSql } from "../history/where";

export interface MailboxUse {
  address: string;
  /** Sends that reached Microsoft (accepted, uncertain or in flight) in the last 24 hours. */
  sends: number;
  /** The busiest minute of those 24 hours, against Exchange's 30 messages a minute. */
  peakPerMinute: number;
  /** Recipients in the last 24 hours, against Exchange's 10,000 a day (a rolling day). */
  peakRecipientsPerDay: number;
  /** Sends held back by the outbox's pacing (queued with a later attempt time) right now. */
  waiting: number;
}

/**
 * Per sender mailbox, how close the last 24 hours came to Exchange Online's sending limits — 30
 * messages a minute and 10,000 recipients a day per mailbox, a rolling window
 * (https://learn.microsoft.com/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits#sending-limits)
 * — and how many sends the outbox holds back for pacing (lib/outbox/claim.ts). Counted from the sends
 * the actor may see (scopeSql): a sender sees their own use of a mailbox, not other people's.
 */
export async function mailboxQuota(actor: SessionUser, now = new Date(), limit = 6): Promise<MailboxUse[]> {
  const dayAgo = pgTimestamp(new Date(now.getTime() - 86_400_000));
  const at = pgTimestamp(now);
  return db().$queryRaw<MailboxUse[]>(Prisma.sql`
    WITH mine AS (
      SELECT lower(s."fromAddress") AS address, s.status, s."nextAttemptAt", coalesce(s."completedAt", s."createdAt") AS at, s."recipientCount" AS rc
      FROM "Send" s
      WHERE ${scopeSql(actor)} AND (s."createdAt" >= ${dayAgo}::timestamp(3) OR s.status IN ('queued', 'retrying', 'sending'))
    ),
    sent AS (SELECT * FROM mine WHERE status IN ('accepted', 'uncertain', 'sending') AND at >= ${dayAgo}::timestamp(3)),
    per_minute AS (SELECT address, max(n)::int AS peak FROM (SELECT address, count(*) AS n FROM sent GROUP BY address, date_trunc('minute', at)) m GROUP BY address),
    totals AS (SELECT address, count(*)::int AS sends, sum(rc)::int AS recipients FROM sent GROUP BY address),
    waiting AS (SELECT address, count(*)::int AS n FROM mine WHERE status = 'queued' AND "nextAttemptAt" > ${at}::timestamp(3) GROUP BY address)
    SELECT a.address, coalesce(t.sends, 0) AS sends, coalesce(pm.peak, 0) AS "peakPerMinute",
      coalesce(t.recipients, 0) AS "peakRecipientsPerDay", coalesce(w.n, 0) AS waiting
    FROM (SELECT address FROM totals UNION SELECT address FROM waiting) a
    LEFT JOIN totals t USING (address) LEFT JOIN per_minute pm USING (address) LEFT JOIN waiting w USING (address)
    ORDER BY coalesce(t.recipients, 0) DESC, a.address LIMIT ${limit}`);
}
