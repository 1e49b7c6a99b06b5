import "server-only";
import { Prisma } from "@/generated/prisma/client";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { pgTimestamp } from "../history/cursor";
import { scopeSql } from "../history/where";

const DAY = 86_400_000;

/** The window of "failures needing action": the last 7 UTC days, so each count matches its History link. */
export const FAILURE_DAYS = 7;

export interface SendCounts {
  /** Sends queued since midnight UTC, and yesterday's whole day and yesterday until this time of day. */
  today: number;
  acceptedToday: number;
  inProgressToday: number;
  yesterday: number;
  yesterdaySoFar: number;
  /** The first day of the failure window (YYYY-MM-DD), for the links to History. */
  failuresFrom: string;
  failed: number;
  uncertain: number;
  /** Accepted by Microsoft, then message trace reported a recipient failed, quarantined or filtered. */
  notDelivered: number;
  /** Failed sends no admin has retried or discarded (lib/dead-letters), whatever their age. */
  deadLetters: number;
}

/**
 * "Is mail flowing?" in one query over the sends the actor may see — scopeSql, the same rule as History:
 * a sender counts their own sends only, and the setup wizard's restriction tests (meant to be refused)
 * are never counted, so the Prove step's intended 403s do not show as failures.
 */
export async function sendCounts(actor: SessionUser, now = new Date()): Promise<SendCounts> {
  const midnight = Date.parse(`${now.toISOString().slice(0, 10)}T00:00:00Z`);
  const today = pgTimestamp(new Date(midnight));
  const yesterday = pgTimestamp(new Date(midnight - DAY));
  const dayAgo = pgTimestamp(new Date(now.getTime() - DAY));
  const failuresFrom = new Date(midnight - (FAILURE_DAYS - 1) * DAY).toISOString().slice(0, 10);
  const since = pgTimestamp(new Date(`${failuresFrom}T00:00:00Z`));
  const [row] = await db().$queryRaw<Omit<SendCounts, "failuresFrom">[]>(Prisma.sql`
    SELECT
      count(*) FILTER (WHERE s."createdAt" >= ${today}::timestamp(3))::int AS today,
      count(*) FILTER (WHERE s."createdAt" >= ${today}::timestamp(3) AND s.status = 'accepted')::int AS "acceptedToday",
      count(*) FILTER (WHERE s."createdAt" >= ${today}::timestamp(3) AND s.status IN ('queued', 'sending', 'retrying'))::int AS "inProgressToday",
      count(*) FILTER (WHERE s."createdAt" >= ${yesterday}::timestamp(3) AND s."createdAt" < ${today}::timestamp(3))::int AS yesterday,
      count(*) FILTER (WHERE s."createdAt" >= ${yesterday}::timestamp(3) AND s."createdAt" < ${dayAgo}::timestamp(3))::int AS "yesterdaySoFar",
      count(*) FILTER (WHERE s."createdAt" >= ${since}::timestamp(3) AND s.status = 'failed')::int AS failed,
      count(*) FILTER (WHERE s."createdAt" >= ${since}::timestamp(3) AND s.status = 'uncertain')::int AS uncertain,
      count(*) FILTER (WHERE s."createdAt" >= ${since}::timestamp(3) AND s.status = 'accepted' AND s."deliveryState" = 'failed')::int AS "notDelivered",
      count(*) FILTER (WHERE s.status = 'failed' AND s."deadLetterResolvedAt" IS NULL)::int AS "deadLetters"
    FROM "Send" s
    WHERE ${scopeSql(actor)} AND (s."createdAt" >= LEAST(${yesterday}::timestamp(3), ${since}::timestamp(3)) OR (s.status = 'failed' AND s."deadLetterResolvedAt" IS NULL))`);
  return { ...row!, failuresFrom };
}
