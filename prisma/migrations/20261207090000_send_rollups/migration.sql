-- History's chart (lib/history/send-stats.ts) from per-day rollups instead of a scan of every send in range.
-- Writers append signed deltas (statement-level triggers with transition tables,
-- https://www.postgresql.org/docs/current/sql-createtrigger.html), and one folder at a time moves them into the
-- rollups (lib/history/fold-send-counts.ts). Writers never update a shared row, so they never wait on each
-- other or on the fold. Reads add the deltas not folded yet, so counts are exact at every moment.

-- The chart's series of a send: accepted sends split by message trace's verdict (lib/delivery). STABLE, not
-- IMMUTABLE: an enum's cast to text is stable, and the planner inlines a SQL function only when its declared
-- volatility is no stricter than its body's (https://wiki.postgresql.org/wiki/Inlining_of_SQL_functions),
-- which makes it about six times cheaper per row than a call.
CREATE FUNCTION send_chart_bucket(status "SendStatus", delivery TEXT) RETURNS TEXT
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN status = 'accepted' AND delivery = 'delivered' THEN 'delivered'
              WHEN status = 'accepted' AND delivery = 'failed' THEN 'undelivered'
              ELSE status::text END
$$;

-- Sends per UTC day of createdAt for every combination of what History's filter can select on
-- (lib/history/where.ts filterSql, except the search and the recipient, which keep the live query).
-- Absent ids and delivery states are '' (not NULL), so the key can be the primary key.
CREATE TABLE "SendDayCount" (
    "day" DATE NOT NULL,
    "tenantId" TEXT NOT NULL,
    "test" BOOLEAN NOT NULL,
    "status" "SendStatus" NOT NULL,
    "mode" "SendMode" NOT NULL,
    "deliveryState" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "actorUserId" TEXT NOT NULL,
    "apiKeyId" TEXT NOT NULL,
    "deviceId" TEXT NOT NULL,
    "sends" INTEGER NOT NULL,
    "recipients" INTEGER NOT NULL,
    CONSTRAINT "SendDayCount_pkey" PRIMARY KEY ("day", "tenantId", "test", "status", "mode", "deliveryState", "address", "actorUserId", "apiKeyId", "deviceId")
);
-- A sender's own chart (scopeSql) and a filter on one mailbox read a slice, not every row of the range.
CREATE INDEX "SendDayCount_actorUserId_day_idx" ON "SendDayCount" ("actorUserId", "day");
CREATE INDEX "SendDayCount_address_day_idx" ON "SendDayCount" ("address", "day");
-- A status's view (the admin's "Uncertain sends", failed sends) reads that status's rows only.
CREATE INDEX "SendDayCount_status_day_idx" ON "SendDayCount" ("status", "day");

-- The unfiltered chart's bars: a few rows a day whatever the volume.
CREATE TABLE "SendDayStatus" (
    "day" DATE NOT NULL,
    "tenantId" TEXT NOT NULL,
    "test" BOOLEAN NOT NULL,
    "bucket" TEXT NOT NULL,
    "sends" INTEGER NOT NULL,
    CONSTRAINT "SendDayStatus_pkey" PRIMARY KEY ("day", "tenantId", "test", "bucket")
);

-- Per mailbox and day, the sends that reached Graph (accepted or uncertain), their recipients, and the
-- busiest minute (by minute of completedAt, else createdAt) among that day's sends: Exchange Online's
-- limits are per mailbox (https://learn.microsoft.com/en-us/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits#sending-limits).
CREATE TABLE "SendDaySender" (
    "day" DATE NOT NULL,
    "tenantId" TEXT NOT NULL,
    "test" BOOLEAN NOT NULL,
    "address" TEXT NOT NULL,
    "sends" INTEGER NOT NULL,
    "recipients" INTEGER NOT NULL,
    "peakPerMinute" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "SendDaySender_pkey" PRIMARY KEY ("day", "tenantId", "test", "address")
);

-- Append-only: what each statement on "Send" changed, with the minute of the sends that reached Graph
-- (so the fold can recount only the minutes that changed). No unique key but the serial id: inserts never conflict.
CREATE TABLE "SendCountDelta" (
    "id" BIGSERIAL NOT NULL,
    "day" DATE NOT NULL,
    "tenantId" TEXT NOT NULL,
    "test" BOOLEAN NOT NULL,
    "status" "SendStatus" NOT NULL,
    "mode" "SendMode" NOT NULL,
    "deliveryState" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "actorUserId" TEXT NOT NULL,
    "apiKeyId" TEXT NOT NULL,
    "deviceId" TEXT NOT NULL,
    "minute" TIMESTAMP(3),
    "sends" INTEGER NOT NULL,
    "recipients" INTEGER NOT NULL,
    CONSTRAINT "SendCountDelta_pkey" PRIMARY KEY ("id")
);

-- The fold recounts a mailbox's changed minutes, or a whole day after a decrease, through these.
CREATE INDEX "Send_lower_fromAddress_minute_idx" ON "Send" (lower("fromAddress"), date_trunc('minute', coalesce("completedAt", "createdAt")));
CREATE INDEX "Send_lower_fromAddress_createdAt_idx" ON "Send" (lower("fromAddress"), "createdAt");

-- The plpgsql bodies below are E'' strings whose semicolons are written \073 (an octal escape,
-- https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-STRINGS-ESCAPE): Prisma's migrate
-- deploy cuts a script at every semicolon, even one inside a $$ or quoted body, so none may appear there.

-- One grouped INSERT per statement: -old +new for the rows whose counted columns changed. Updates that touch
-- no counted column (leases, attempts, bodies) add nothing.
CREATE FUNCTION send_count_delta() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF TG_OP = ''INSERT'' THEN
    INSERT INTO "SendCountDelta" ("day", "tenantId", "test", "status", "mode", "deliveryState", "address", "actorUserId", "apiKeyId", "deviceId", "minute", "sends", "recipients")
    SELECT n."createdAt"::date, n."tenantId", n."test", n."status", n."mode", coalesce(n."deliveryState", ''''), lower(n."fromAddress"),
           coalesce(n."actorUserId", ''''), coalesce(n."apiKeyId", ''''), coalesce(n."deviceId", ''''),
           CASE WHEN n."status" IN (''accepted'', ''uncertain'') THEN date_trunc(''minute'', coalesce(n."completedAt", n."createdAt")) END,
           count(*), sum(n."recipientCount")
    FROM new_rows n GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11\073
  ELSIF TG_OP = ''DELETE'' THEN
    INSERT INTO "SendCountDelta" ("day", "tenantId", "test", "status", "mode", "deliveryState", "address", "actorUserId", "apiKeyId", "deviceId", "minute", "sends", "recipients")
    SELECT o."createdAt"::date, o."tenantId", o."test", o."status", o."mode", coalesce(o."deliveryState", ''''), lower(o."fromAddress"),
           coalesce(o."actorUserId", ''''), coalesce(o."apiKeyId", ''''), coalesce(o."deviceId", ''''),
           CASE WHEN o."status" IN (''accepted'', ''uncertain'') THEN date_trunc(''minute'', coalesce(o."completedAt", o."createdAt")) END,
           -count(*), -sum(o."recipientCount")
    FROM old_rows o GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11\073
  ELSE
    INSERT INTO "SendCountDelta" ("day", "tenantId", "test", "status", "mode", "deliveryState", "address", "actorUserId", "apiKeyId", "deviceId", "minute", "sends", "recipients")
    SELECT d."day", d."tenantId", d."test", d."status", d."mode", d."deliveryState", d."address", d."actorUserId", d."apiKeyId", d."deviceId", d."minute", sum(d.sends), sum(d.recipients)
    FROM (
      SELECT k.*, -1 AS sends, -x."recipientCount" AS recipients
      FROM old_rows x LEFT JOIN new_rows y ON y."id" = x."id"
      CROSS JOIN LATERAL (SELECT x."createdAt"::date AS "day", x."tenantId", x."test", x."status", x."mode", coalesce(x."deliveryState", '''') AS "deliveryState",
                                 lower(x."fromAddress") AS "address", coalesce(x."actorUserId", '''') AS "actorUserId", coalesce(x."apiKeyId", '''') AS "apiKeyId",
                                 coalesce(x."deviceId", '''') AS "deviceId",
                                 CASE WHEN x."status" IN (''accepted'', ''uncertain'') THEN date_trunc(''minute'', coalesce(x."completedAt", x."createdAt")) END AS "minute") k
      WHERE y."id" IS NULL
         OR (x."createdAt"::date, x."tenantId", x."test", x."status", x."mode", x."deliveryState", lower(x."fromAddress"), x."actorUserId", x."apiKeyId", x."deviceId", x."recipientCount", k."minute")
            IS DISTINCT FROM
            (y."createdAt"::date, y."tenantId", y."test", y."status", y."mode", y."deliveryState", lower(y."fromAddress"), y."actorUserId", y."apiKeyId", y."deviceId", y."recipientCount",
             CASE WHEN y."status" IN (''accepted'', ''uncertain'') THEN date_trunc(''minute'', coalesce(y."completedAt", y."createdAt")) END)
      UNION ALL
      SELECT k.*, 1, y."recipientCount"
      FROM new_rows y LEFT JOIN old_rows x ON x."id" = y."id"
      CROSS JOIN LATERAL (SELECT y."createdAt"::date AS "day", y."tenantId", y."test", y."status", y."mode", coalesce(y."deliveryState", '''') AS "deliveryState",
                                 lower(y."fromAddress") AS "address", coalesce(y."actorUserId", '''') AS "actorUserId", coalesce(y."apiKeyId", '''') AS "apiKeyId",
                                 coalesce(y."deviceId", '''') AS "deviceId",
                                 CASE WHEN y."status" IN (''accepted'', ''uncertain'') THEN date_trunc(''minute'', coalesce(y."completedAt", y."createdAt")) END AS "minute") k
      WHERE x."id" IS NULL
         OR (x."createdAt"::date, x."tenantId", x."test", x."status", x."mode", x."deliveryState", lower(x."fromAddress"), x."actorUserId", x."apiKeyId", x."deviceId", x."recipientCount",
             CASE WHEN x."status" IN (''accepted'', ''uncertain'') THEN date_trunc(''minute'', coalesce(x."completedAt", x."createdAt")) END)
            IS DISTINCT FROM
            (y."createdAt"::date, y."tenantId", y."test", y."status", y."mode", y."deliveryState", lower(y."fromAddress"), y."actorUserId", y."apiKeyId", y."deviceId", y."recipientCount", k."minute")
    ) d
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
    HAVING sum(d.sends) <> 0 OR sum(d.recipients) <> 0\073
  END IF\073
  RETURN NULL\073
END
';

CREATE TRIGGER "Send_count_insert" AFTER INSERT ON "Send" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION send_count_delta();
CREATE TRIGGER "Send_count_update" AFTER UPDATE ON "Send" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION send_count_delta();
CREATE TRIGGER "Send_count_delete" AFTER DELETE ON "Send" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION send_count_delta();

-- TRUNCATE fires no DELETE trigger: empty the rollups with it.
CREATE FUNCTION send_count_truncate() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  TRUNCATE "SendCountDelta", "SendDayCount", "SendDayStatus", "SendDaySender"\073
  RETURN NULL\073
END
';
CREATE TRIGGER "Send_count_truncate" AFTER TRUNCATE ON "Send" FOR EACH STATEMENT EXECUTE FUNCTION send_count_truncate();

-- Rebuilds every rollup from "Send" as it is: the migration's backfill, and the benchmark's after a bulk load
-- with triggers off. Writers wait for it (SHARE lock), so no delta is lost or counted twice.
CREATE FUNCTION send_rollups_rebuild() RETURNS void LANGUAGE plpgsql AS E'
BEGIN
  LOCK TABLE "Send" IN SHARE MODE\073
  TRUNCATE "SendCountDelta", "SendDayCount", "SendDayStatus", "SendDaySender"\073
  INSERT INTO "SendDayCount" ("day", "tenantId", "test", "status", "mode", "deliveryState", "address", "actorUserId", "apiKeyId", "deviceId", "sends", "recipients")
  SELECT s."createdAt"::date, s."tenantId", s."test", s."status", s."mode", coalesce(s."deliveryState", ''''), lower(s."fromAddress"),
         coalesce(s."actorUserId", ''''), coalesce(s."apiKeyId", ''''), coalesce(s."deviceId", ''''), count(*), sum(s."recipientCount")
  FROM "Send" s GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10\073
  INSERT INTO "SendDayStatus" ("day", "tenantId", "test", "bucket", "sends")
  SELECT c."day", c."tenantId", c."test", send_chart_bucket(c."status", c."deliveryState"), sum(c."sends")
  FROM "SendDayCount" c GROUP BY 1, 2, 3, 4\073
  INSERT INTO "SendDaySender" ("day", "tenantId", "test", "address", "sends", "recipients", "peakPerMinute")
  SELECT m."day", m."tenantId", m."test", m."address", sum(m.n), sum(m.r), max(m.n)
  FROM (
    SELECT s."createdAt"::date AS "day", s."tenantId", s."test", lower(s."fromAddress") AS "address", count(*) AS n, sum(s."recipientCount") AS r
    FROM "Send" s WHERE s."status" IN (''accepted'', ''uncertain'')
    GROUP BY 1, 2, 3, 4, date_trunc(''minute'', coalesce(s."completedAt", s."createdAt"))
  ) m GROUP BY 1, 2, 3, 4\073
END
';

-- The rollups of the sends already there (scripts/bench/history.ts rebuilds them the same way after a bulk load).
SELECT send_rollups_rebuild();
