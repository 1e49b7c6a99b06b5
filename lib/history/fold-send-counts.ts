import "server-only";
import { db } from "../db";
import { jobLockKey } from "../jobs/single-runner";

/**
 * One folder at a time, cluster-wide: a transaction-level advisory lock
 * (https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADVISORY-LOCKS) taken with
 * try, so the job and History's reads never wait for each other — whoever holds it folds, the others read
 * the rollups plus the pending deltas. Not runAlone's session lock: that costs a connection per run, and
 * the fold runs every few seconds and before each chart.
 */
const FOLD_LOCK = jobLockKey("send-count-fold");
const g = globalThis as unknown as { __gmpFolding?: boolean };

interface MinuteDelta {
  day: string;
  tenantId: string;
  test: boolean;
  address: string;
  minute: string;
  lost: boolean;
}

interface FoldResult {
  deltas: number;
  minutes: MinuteDelta[] | null;
  zeroCounts: unknown[] | null;
  zeroStatus: unknown[] | null;
}

/**
 * Moves the deltas the triggers on "Send" appended (migration 20261207090000) into the day rollups, in one
 * transaction: DELETE … RETURNING them, add them up per rollup key (upserts in key order), recount the busiest
 * minute of each mailbox-day they touched, and drop rows that fell to zero. Only the fold writes the rollups,
 * so writers of "Send" never wait on a shared row. A busiest minute only grows while its day only gains sends
 * (then only the changed minutes are recounted); a day with any decrease among its deltas is recounted whole.
 * Returns null when another fold holds the lock (or runs in this process: PGlite's locks are re-entrant).
 */
export async function foldSendCounts(): Promise<{ deltas: number } | null> {
  if (g.__gmpFolding) return null;
  g.__gmpFolding = true;
  try {
    return await db().$transaction(
      async (tx) => {
        const [lock] = await tx.$queryRaw<{ got: boolean }[]>`SELECT pg_try_advisory_xact_lock(${FOLD_LOCK}::bigint) AS got`;
        if (!lock?.got) return null;
        const [r] = await tx.$queryRaw<FoldResult[]>`
          WITH d AS (DELETE FROM "SendCountDelta" RETURNING *),
          c AS (
            INSERT INTO "SendDayCount" AS t ("day", "tenantId", "test", "status", "mode", "deliveryState", "address", "actorUserId", "apiKeyId", "deviceId", "sends", "recipients")
            SELECT "day", "tenantId", "test", "status", "mode", "deliveryState", "address", "actorUserId", "apiKeyId", "deviceId", sum("sends"), sum("recipients")
            FROM d GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
            ON CONFLICT ("day", "tenantId", "test", "status", "mode", "deliveryState", "address", "actorUserId", "apiKeyId", "deviceId")
            DO UPDATE SET "sends" = t."sends" + excluded."sends", "recipients" = t."recipients" + excluded."recipients"
            RETURNING t.*
          ),
          st AS (
            INSERT INTO "SendDayStatus" AS t ("day", "tenantId", "test", "bucket", "sends")
            SELECT "day", "tenantId", "test", send_chart_bucket("status", "deliveryState"), sum("sends")
            FROM d GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
            ON CONFLICT ("day", "tenantId", "test", "bucket") DO UPDATE SET "sends" = t."sends" + excluded."sends"
            RETURNING t.*
          ),
          sn AS (
            INSERT INTO "SendDaySender" AS t ("day", "tenantId", "test", "address", "sends", "recipients")
            SELECT "day", "tenantId", "test", "address", sum("sends"), sum("recipients")
            FROM d WHERE "minute" IS NOT NULL GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
            ON CONFLICT ("day", "tenantId", "test", "address")
            DO UPDATE SET "sends" = t."sends" + excluded."sends", "recipients" = t."recipients" + excluded."recipients"
            RETURNING 1
          ),
          m AS (
            SELECT "day", "tenantId", "test", "address", "minute", bool_or("sends" < 0) AS "lost"
            FROM d WHERE "minute" IS NOT NULL GROUP BY 1, 2, 3, 4, 5
          )
          SELECT (SELECT count(*) FROM d)::int AS deltas,
                 (SELECT count(*) FROM sn)::int AS senders,
                 (SELECT jsonb_agg(m) FROM m) AS minutes,
                 (SELECT jsonb_agg(jsonb_build_object('day', "day", 'tenantId', "tenantId", 'test', "test", 'status', "status", 'mode', "mode",
                    'deliveryState', "deliveryState", 'address', "address", 'actorUserId', "actorUserId", 'apiKeyId', "apiKeyId", 'deviceId', "deviceId"))
                  FROM c WHERE c."sends" = 0 AND c."recipients" = 0) AS "zeroCounts",
                 (SELECT jsonb_agg(jsonb_build_object('day', "day", 'tenantId', "tenantId", 'test', "test", 'bucket', "bucket"))
                  FROM st WHERE st."sends" = 0) AS "zeroStatus"`;
        if (!r || r.deltas === 0) return { deltas: 0 };

        // The busiest minute of each mailbox-day the deltas touched.
        // Any decrease, even one netted out by an increase in the same fold, recounts the whole day: an earlier
        // fold may already have counted that increase (it recounts from "Send" as committed then, which can be
        // ahead of the deltas it took), so the net change would hide a minute that shrank.
        const days = new Map<string, { key: Omit<MinuteDelta, "minute" | "lost">; lost: boolean; minutes: MinuteDelta[] }>();
        for (const m of r.minutes ?? []) {
          const k = `${m.day}\u0000${m.tenantId}\u0000${m.test}\u0000${m.address}`;
          const e = days.get(k) ?? { key: { day: m.day, tenantId: m.tenantId, test: m.test, address: m.address }, lost: false, minutes: [] };
          e.lost ||= m.lost;
          e.minutes.push(m);
          days.set(k, e);
        }
        const whole = [...days.values()].filter((e) => e.lost).map((e) => e.key);
        const changed = [...days.values()].filter((e) => !e.lost).flatMap((e) => e.minutes);
        const reached = `s."status" IN ('accepted', 'uncertain')`;
        if (whole.length > 0) {
          await tx.$executeRawUnsafe(
            `UPDATE "SendDaySender" t SET "peakPerMinute" = coalesce((
               SELECT max(x.n) FROM (
                 SELECT count(*) AS n FROM "Send" s
                 WHERE lower(s."fromAddress") = t."address" AND s."createdAt" >= t."day"::timestamp AND s."createdAt" < (t."day" + 1)::timestamp
                   AND s."tenantId" = t."tenantId" AND s."test" = t."test" AND ${reached}
                 GROUP BY date_trunc('minute', coalesce(s."completedAt", s."createdAt"))) x), 0)
             FROM jsonb_to_recordset($1::jsonb) AS k("day" date, "tenantId" text, "test" boolean, "address" text)
             WHERE t."day" = k."day" AND t."tenantId" = k."tenantId" AND t."test" = k."test" AND t."address" = k."address"`,
            JSON.stringify(whole),
          );
        }
        if (changed.length > 0) {
          await tx.$executeRawUnsafe(
            `UPDATE "SendDaySender" t SET "peakPerMinute" = greatest(t."peakPerMinute", m.n)
             FROM (
               SELECT k."day", k."tenantId", k."test", k."address", max((
                 SELECT count(*) FROM "Send" s
                 WHERE lower(s."fromAddress") = k."address" AND date_trunc('minute', coalesce(s."completedAt", s."createdAt")) = k."minute"
                   AND s."createdAt" >= k."day"::timestamp AND s."createdAt" < (k."day" + 1)::timestamp
                   AND s."tenantId" = k."tenantId" AND s."test" = k."test" AND ${reached})) AS n
               FROM jsonb_to_recordset($1::jsonb) AS k("day" date, "tenantId" text, "test" boolean, "address" text, "minute" timestamp(3))
               GROUP BY 1, 2, 3, 4
             ) m
             WHERE t."day" = m."day" AND t."tenantId" = m."tenantId" AND t."test" = m."test" AND t."address" = m."address"`,
            JSON.stringify(changed),
          );
        }
        if (days.size > 0) {
          await tx.$executeRawUnsafe(
            `DELETE FROM "SendDaySender" t USING jsonb_to_recordset($1::jsonb) AS k("day" date, "tenantId" text, "test" boolean, "address" text)
             WHERE t."day" = k."day" AND t."tenantId" = k."tenantId" AND t."test" = k."test" AND t."address" = k."address"
               AND t."sends" = 0 AND t."recipients" = 0 AND t."peakPerMinute" = 0`,
            JSON.stringify([...days.values()].map((e) => e.key)),
          );
        }
        if (r.zeroCounts?.length) {
          await tx.$executeRawUnsafe(
            `DELETE FROM "SendDayCount" t
             USING jsonb_to_recordset($1::jsonb) AS k("day" date, "tenantId" text, "test" boolean, "status" "SendStatus", "mode" "SendMode", "deliveryState" text,
                                                      "address" text, "actorUserId" text, "apiKeyId" text, "deviceId" text)
             WHERE (t."day", t."tenantId", t."test", t."status", t."mode", t."deliveryState", t."address", t."actorUserId", t."apiKeyId", t."deviceId")
                 = (k."day", k."tenantId", k."test", k."status", k."mode", k."deliveryState", k."address", k."actorUserId", k."apiKeyId", k."deviceId")
               AND t."sends" = 0 AND t."recipients" = 0`,
            JSON.stringify(r.zeroCounts),
          );
        }
        if (r.zeroStatus?.length) {
          await tx.$executeRawUnsafe(
            `DELETE FROM "SendDayStatus" t USING jsonb_to_recordset($1::jsonb) AS k("day" date, "tenantId" text, "test" boolean, "bucket" text)
             WHERE t."day" = k."day" AND t."tenantId" = k."tenantId" AND t."test" = k."test" AND t."bucket" = k."bucket" AND t."sends" = 0`,
            JSON.stringify(r.zeroStatus),
          );
        }
        return { deltas: r.deltas };
      },
      // A fold after a large purge recounts many mailbox-days; the default 5 s would abort it half-way (it
      // would only roll back and run again, but never finish).
      { timeout: 300_000, maxWait: 10_000 },
    );
  } finally {
    g.__gmpFolding = false;
  }
}
