/**
 * History's chart from the day rollups (migration 20261207090000, lib/history/fold-send-counts.ts,
 * lib/history/send-stats.ts) against the live computation over every send (sendStatsLive), on a real
 * PostgreSQL: after random inserts, status and delivery changes, deletes and folds at random points; with
 * the fold held off (reads add the pending deltas); under 8 concurrent writers with folds running; and the
 * migration's backfill of a database that already holds sends.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, createTestDatabase } from "../support/db";
import type { SessionUser } from "@/lib/auth/session";
import type { KeyViewer } from "@/lib/sends/visibility";
import type { HistoryFilter } from "@/lib/schemas/history";
import type { SendStats } from "@/lib/history/send-stats";

const MIGRATION = "20261207090000_send_rollups";
const NOW = new Date("2026-11-30T12:00:00.000Z");
const DAY0 = Date.parse("2026-11-12T00:00:00.000Z");
const STATUSES = ["accepted", "accepted", "accepted", "accepted", "accepted", "failed", "uncertain", "queued", "sending", "retrying"] as const;
const MODES = ["app", "delegated", "api", "bulk", "smtp"] as const;
const DELIVERY = [null, "pending", "delivered", "failed"] as const;

/** A seeded generator (mulberry32), so a failure can be replayed. */
function rng(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T,>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}

interface World {
  tenants: string[];
  users: SessionUser[];
  keys: { id: string; tenantId: string; name: string }[];
  devices: { id: string; tenantId: string; username: string }[];
}

let seq = 0;
/** Send rows as JSON for one INSERT … SELECT FROM jsonb_to_recordset. */
function makeSends(r: ReturnType<typeof rng>, w: World, n: number, prefix = "s", days = 19) {
  return Array.from({ length: n }, () => {
    const ti = r.int(w.tenants.length);
    const tenantId = w.tenants[ti]!;
    const mode = r.pick(MODES);
    const status = r.pick(STATUSES);
    const key = w.keys.find((k) => k.tenantId === tenantId);
    const device = w.devices.find((d) => d.tenantId === tenantId);
    // Busy minutes (a few minutes a morning) and sends a breath before midnight that complete after it.
    const late = r.next() < 0.1;
    const created =
      DAY0 + r.int(days) * 86_400_000 + (late ? 86_400_000 - 1 - r.int(20_000) : (9 * 60 + r.int(4)) * 60_000 + r.int(60_000));
    const done = ["accepted", "failed", "uncertain"].includes(status) ? created + r.int(90_000) : null;
    const k = r.int(3);
    return {
      id: `${prefix}${(seq++).toString(36).padStart(6, "0")}`,
      tenantId,
      mode,
      status,
      actorUserId: mode === "api" || mode === "smtp" || w.users.length === 0 ? null : r.pick(w.users).id,
      apiKeyId: mode === "api" && key ? key.id : null,
      deviceId: mode === "smtp" && device ? device.id : null,
      // Addresses belong to one tenant (as mailboxes do), in mixed case.
      fromAddress: `${r.next() < 0.5 ? "MB" : "mb"}${k}@t${ti}.example.com`,
      recipientCount: 1 + r.int(5),
      test: r.next() < 0.06,
      deliveryState: status === "accepted" ? r.pick(DELIVERY) : null,
      createdAt: new Date(created).toISOString(),
      completedAt: done === null ? null : new Date(done).toISOString(),
    };
  });
}

async function insertSends(c: pg.ClientBase, rows: ReturnType<typeof makeSends>) {
  await c.query(
    `INSERT INTO "Send"(id, "tenantId", mode, status, "actorUserId", "apiKeyId", "deviceId", "fromAddress", "toAddresses", "ccAddresses", "bccAddresses",
                        "recipientCount", subject, test, "deliveryState", "createdAt", "updatedAt", "completedAt")
     SELECT r.id, r."tenantId", r.mode::"SendMode", r.status::"SendStatus", r."actorUserId", r."apiKeyId", r."deviceId", r."fromAddress", '{}', '{}', '{}',
            r."recipientCount", 'Invoice ' || r.id, r.test, r."deliveryState", r."createdAt", r."createdAt", r."completedAt"
     FROM jsonb_to_recordset($1::jsonb) AS r(id text, "tenantId" text, mode text, status text, "actorUserId" text, "apiKeyId" text, "deviceId" text,
          "fromAddress" text, "recipientCount" int, test boolean, "deliveryState" text, "createdAt" timestamp(3), "completedAt" timestamp(3))`,
    [JSON.stringify(rows)],
  );
}

/** Rows of each rollup that differ from the same rollup computed from scratch (only meaningful with no pending deltas). */
async function rollupDiff(c: pg.ClientBase): Promise<{ deltas: number; counts: number; status: number; senders: number }> {
  const { rows } = await c.query(`
    WITH fresh_counts AS (
      SELECT s."createdAt"::date AS day, s."tenantId", s.test, s.status, s.mode, coalesce(s."deliveryState", '') AS ds, lower(s."fromAddress") AS address,
             coalesce(s."actorUserId", '') AS a, coalesce(s."apiKeyId", '') AS k, coalesce(s."deviceId", '') AS d, count(*)::int AS n, sum(s."recipientCount")::int AS r
      FROM "Send" s GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
    kept_counts AS (SELECT day, "tenantId", test, status, mode, "deliveryState", address, "actorUserId", "apiKeyId", "deviceId", sends, recipients FROM "SendDayCount"),
    fresh_status AS (SELECT day, "tenantId", test, send_chart_bucket(status, nullif(ds, '')) AS b, sum(n)::int AS n FROM fresh_counts GROUP BY 1, 2, 3, 4),
    fresh_senders AS (
      SELECT day, "tenantId", test, address, sum(n)::int AS n, sum(r)::int AS r, max(n)::int AS peak FROM (
        SELECT s."createdAt"::date AS day, s."tenantId", s.test, lower(s."fromAddress") AS address, count(*) AS n, sum(s."recipientCount") AS r
        FROM "Send" s WHERE s.status IN ('accepted', 'uncertain')
        GROUP BY 1, 2, 3, 4, date_trunc('minute', coalesce(s."completedAt", s."createdAt"))) m GROUP BY 1, 2, 3, 4)
    SELECT (SELECT count(*) FROM "SendCountDelta")::int AS deltas,
      (SELECT count(*) FROM ((SELECT * FROM fresh_counts EXCEPT ALL SELECT * FROM kept_counts) UNION ALL (SELECT * FROM kept_counts EXCEPT ALL SELECT * FROM fresh_counts)) x)::int AS counts,
      (SELECT count(*) FROM ((SELECT * FROM fresh_status EXCEPT ALL SELECT day, "tenantId", test, bucket, sends FROM "SendDayStatus")
                             UNION ALL (SELECT day, "tenantId", test, bucket, sends FROM "SendDayStatus" EXCEPT ALL SELECT * FROM fresh_status)) x)::int AS status,
      (SELECT count(*) FROM ((SELECT * FROM fresh_senders EXCEPT ALL SELECT day, "tenantId", test, address, sends, recipients, "peakPerMinute" FROM "SendDaySender")
                             UNION ALL (SELECT day, "tenantId", test, address, sends, recipients, "peakPerMinute" FROM "SendDaySender" EXCEPT ALL SELECT * FROM fresh_senders)) x)::int AS senders`);
  return rows[0];
}

type Actor = { name: string; actor: SessionUser | KeyViewer; seesAll: boolean };

/** The rollup answer equals the live one: bars and sender volume exactly; busiest minutes as documented. */
function expectSame(got: SendStats, want: SendStats, where: string, filter: HistoryFilter, who: Actor, peaks: boolean) {
  expect(got.range, where).toEqual(want.range);
  expect(got.bars, where).toEqual(want.bars);
  expect(got.senders.map((s) => [s.address, s.sends, s.peakRecipientsPerDay]), where).toEqual(want.senders.map((s) => [s.address, s.sends, s.peakRecipientsPerDay]));
  if (!peaks) return;
  for (const [i, s] of got.senders.entries()) {
    const live = want.senders[i]!.peakPerMinute;
    if (!who.seesAll) expect(s.peakPerMinute, `${where} ${s.address}`).toBe(live);
    else if (got.peakScope === "mailbox") expect(s.peakPerMinute, `${where} ${s.address}`).toBeGreaterThanOrEqual(live);
    // Wizard tests included: the larger of the two flags' busiest minutes (kept apart), never more than both together.
    else if (filter.tests === "include") expect(s.peakPerMinute, `${where} ${s.address}`).toBeLessThanOrEqual(live);
    else expect(s.peakPerMinute, `${where} ${s.address}`).toBe(live);
  }
}

let dropDb: () => Promise<void>;
let url: string;
let client: pg.Client;
let world: World;
let actors: Actor[];
let filters: HistoryFilter[];

async function lib() {
  const { sendStats, sendStatsLive } = await import("@/lib/history/send-stats");
  const { foldSendCounts } = await import("@/lib/history/fold-send-counts");
  return { sendStats, sendStatsLive, foldSendCounts };
}

/** Every filter for every actor: the rollups (folding first unless held off) against the live query. */
async function compareAll(label: string, peaks: boolean) {
  const { sendStats, sendStatsLive } = await lib();
  for (const who of actors) {
    for (const f of filters) {
      const where = `${label} ${who.name} ${JSON.stringify(f)}`;
      const got = await sendStats(who.actor as SessionUser, f, NOW);
      const want = await sendStatsLive(who.actor as SessionUser, f, NOW);
      expectSame(got, want, where, f, who, peaks);
    }
  }
}

beforeAll(async () => {
  const created = await createTestDatabase();
  dropDb = created.drop;
  url = created.url;
  process.env.DATABASE_URL = url;
  process.env.PORTAL_SECRET_KEY = randomBytes(32).toString("hex");
  process.env.PORTAL_DATA_DIR = await mkdtemp(path.join(os.tmpdir(), "gmp-data-"));
  client = new pg.Client({ connectionString: url });
  await client.connect();
  const { db } = await import("@/lib/db");
  const tenants = [];
  for (const i of [0, 1, 2]) tenants.push((await db().tenant.create({ data: { name: `Tenant ${i}`, directoryId: `t${i}.example.com` } })).id);
  const mk = async (email: string, role: "admin" | "sender" | "auditor") =>
    (await db().user.create({ data: { email, role, name: email }, select: { id: true, name: true, email: true, role: true, tenantId: true } })) as SessionUser;
  const admin = await mk("admin@example.com", "admin");
  const auditor = await mk("audit@example.com", "auditor");
  const alice = await mk("alice@example.com", "sender");
  const bob = await mk("bob@example.com", "sender");
  const keys = [];
  for (const i of [0, 1]) keys.push(await db().apiKey.create({ data: { tenantId: tenants[i]!, name: `nightly-${i}`, hash: `h${i}`, displayPrefix: `gmp_k${i}` } }));
  const devices = [];
  for (const i of [0, 2]) devices.push(await db().device.create({ data: { tenantId: tenants[i]!, name: `Printer ${i}`, username: `printer-${i}` } }));
  world = { tenants, users: [admin, alice, bob], keys, devices };
  actors = [
    { name: "admin", actor: admin, seesAll: true },
    { name: "auditor", actor: auditor, seesAll: true },
    { name: "alice", actor: alice, seesAll: false },
    { name: "bob", actor: bob, seesAll: false },
    { name: "key0", actor: { apiKeyId: keys[0]!.id, tenantId: tenants[0]! }, seesAll: false },
  ];
  const range = { from: "2026-11-08", to: "2026-12-02" };
  filters = [
    {},
    range,
    { ...range, tests: "include" },
    { ...range, tests: "only" },
    { ...range, tenant: tenants[1] },
    { ...range, sender: "mb1@t0.example.com" },
    { ...range, tenant: tenants[0], sender: "mb2@t0.example.com", tests: "include" },
    { ...range, status: "accepted" },
    { ...range, status: "uncertain" },
    { ...range, status: "queued" },
    { ...range, mode: "api" },
    { ...range, delivery: "failed" },
    { ...range, delivery: "pending", tenant: tenants[2] },
    { ...range, actor: "alice@example.com" },
    { ...range, key: "nightly-1" },
    { ...range, key: "gmp_k0", status: "accepted" },
    { ...range, device: "printer-0" },
    { ...range, device: devices[1]!.id, tests: "only" },
    { from: "2026-11-20", to: "2026-11-21" },
    { from: "2026-11-21", to: "2026-11-21", mode: "app", status: "accepted" },
  ];
});

afterAll(async () => {
  await client?.end();
  const { db } = await import("@/lib/db");
  await db().$disconnect();
  await dropDb?.();
});

describe("history chart rollups (real PostgreSQL)", () => {
  it("match the live count through inserts, status and delivery changes, deletes and folds at random points", async () => {
    const { foldSendCounts } = await lib();
    const r = rng(20261207);
    await insertSends(client, makeSends(r, world, 2500));
    await compareAll("seeded", true);
    expect(await rollupDiff(client)).toEqual({ deltas: 0, counts: 0, status: 0, senders: 0 });

    for (let round = 0; round < 5; round++) {
      const ids = async (n: number, where = "TRUE") =>
        (await client.query<{ id: string }>(`SELECT id FROM "Send" WHERE ${where} ORDER BY md5(id || $1) LIMIT ${n}`, [String(round)])).rows.map((x) => x.id);
      const steps: (() => Promise<unknown>)[] = [
        async () => client.query(`UPDATE "Send" SET status = $2::"SendStatus", "completedAt" = coalesce("completedAt", "createdAt" + interval '7 seconds') WHERE id = ANY($1)`, [await ids(60), r.pick(STATUSES)]),
        async () => client.query(`UPDATE "Send" SET "deliveryState" = $2 WHERE id = ANY($1)`, [await ids(50, `status = 'accepted'`), r.pick(DELIVERY)]),
        async () => client.query(`UPDATE "Send" SET "completedAt" = "completedAt" + interval '61 seconds' WHERE id = ANY($1)`, [await ids(30, `"completedAt" IS NOT NULL`)]),
        async () => client.query(`UPDATE "Send" SET "actorUserId" = NULL, test = NOT test WHERE id = ANY($1)`, [await ids(10)]),
        // Retention's purge: the oldest first, in batches.
        async () => client.query(`DELETE FROM "Send" WHERE id IN (SELECT id FROM "Send" ORDER BY "createdAt" LIMIT 40)`),
        async () => client.query(`DELETE FROM "Send" WHERE id = ANY($1)`, [await ids(20)]),
        async () => insertSends(client, makeSends(r, world, 150)),
        async () => foldSendCounts(),
      ];
      for (let i = 0; i < 12; i++) await r.pick(steps)();
      // Columns the chart does not count change nothing in the delta log.
      const before = (await client.query(`SELECT count(*)::int AS n FROM "SendCountDelta"`)).rows[0].n;
      await client.query(`UPDATE "Send" SET subject = subject || '!', "workerId" = 'w', "attemptCount" = "attemptCount" + 1 WHERE id = ANY($1)`, [await ids(200)]);
      expect((await client.query(`SELECT count(*)::int AS n FROM "SendCountDelta"`)).rows[0].n).toBe(before);

      // With the fold held off (another instance folding), counts come from the rollups plus the pending deltas.
      const { jobLockKey } = await import("@/lib/jobs/single-runner");
      const holder = new pg.Client({ connectionString: url });
      await holder.connect();
      await holder.query("BEGIN");
      await holder.query("SELECT pg_advisory_xact_lock($1::bigint)", [jobLockKey("send-count-fold")]);
      try {
        expect((await client.query(`SELECT count(*)::int AS n FROM "SendCountDelta"`)).rows[0].n).toBeGreaterThan(0);
        await compareAll(`round ${round}, unfolded`, false);
      } finally {
        await holder.query("ROLLBACK");
        await holder.end();
      }
      await compareAll(`round ${round}`, true);
      expect(await rollupDiff(client)).toEqual({ deltas: 0, counts: 0, status: 0, senders: 0 });
    }
    // A search or a recipient: the live query, as before.
    const { sendStats, sendStatsLive } = await lib();
    const admin = actors[0]!.actor as SessionUser;
    expect(await sendStats(admin, { q: "invoice" }, NOW)).toEqual(await sendStatsLive(admin, { q: "invoice" }, NOW));
  });

  it("stays exact with 8 writers in short transactions (multi-row updates in both orders) while folds and reads run", async () => {
    const { foldSendCounts, sendStats } = await lib();
    const writers = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        return c;
      }),
    );
    let stop = false;
    const errors: unknown[] = [];
    const admin = actors[0]!.actor as SessionUser;
    const folder = (async () => {
      while (!stop) {
        await foldSendCounts().catch((e: unknown) => errors.push(e));
        await sendStats(admin, { from: "2026-11-08", to: "2026-12-02" }, NOW).catch((e: unknown) => errors.push(e));
      }
    })();
    try {
      await Promise.all(
        writers.map(async (c, w) => {
          const r = rng(1000 + w);
          for (let i = 0; i < 80; i++) {
            try {
              await c.query("BEGIN");
              // Each writer changes its own sends (row locks on "Send" are the application's business), all on
              // the same days, tenants and mailboxes: the rollup keys every writer shares.
              await insertSends(c, makeSends(r, world, 1 + r.int(4), `w${w}-`, 3));
              const order = r.next() < 0.5 ? "ASC" : "DESC";
              await c.query(
                `UPDATE "Send" SET status = $2::"SendStatus", "completedAt" = coalesce("completedAt", "createdAt" + interval '3 seconds')
                 WHERE id IN (SELECT id FROM "Send" WHERE id LIKE $1 ORDER BY id ${order} LIMIT 6 FOR UPDATE)`,
                [`w${w}-%`, r.pick(STATUSES)],
              );
              await c.query(`UPDATE "Send" SET "deliveryState" = $2 WHERE id IN (SELECT id FROM "Send" WHERE id LIKE $1 AND status = 'accepted' ORDER BY id ${order === "ASC" ? "DESC" : "ASC"} LIMIT 4 FOR UPDATE)`, [
                `w${w}-%`,
                r.pick(DELIVERY),
              ]);
              if (r.next() < 0.3) await c.query(`DELETE FROM "Send" WHERE id IN (SELECT id FROM "Send" WHERE id LIKE $1 ORDER BY md5(id) LIMIT 2)`, [`w${w}-%`]);
              await c.query(r.next() < 0.1 ? "ROLLBACK" : "COMMIT");
            } catch (e) {
              errors.push(e);
              await c.query("ROLLBACK").catch(() => undefined);
            }
          }
        }),
      );
    } finally {
      stop = true;
      await folder;
      await Promise.all(writers.map((c) => c.end()));
    }
    expect(errors).toEqual([]);
    await foldSendCounts();
    expect(await rollupDiff(client)).toEqual({ deltas: 0, counts: 0, status: 0, senders: 0 });
    await compareAll("after the concurrent writers", true);
  });

  it("the migration backfills the rollups of a database that already holds sends", async () => {
    const old = await createTestDatabase({ before: MIGRATION });
    const c = new pg.Client({ connectionString: old.url });
    await c.connect();
    try {
      for (const [i, t] of world.tenants.entries()) {
        await c.query(`INSERT INTO "Tenant"(id, name, "directoryId", "updatedAt") VALUES ($1, $2, $3, now())`, [t, `Tenant ${i}`, `t${i}.example.com`]);
      }
      const w = { ...world, users: [], keys: [], devices: [] };
      await insertSends(c, makeSends(rng(7), w, 1200, "b"));
      await applyMigrations(old.url, { from: MIGRATION });
      expect(await rollupDiff(c)).toEqual({ deltas: 0, counts: 0, status: 0, senders: 0 });
      // And the triggers are in place from then on.
      await c.query(`UPDATE "Send" SET status = 'failed' WHERE id IN (SELECT id FROM "Send" ORDER BY id LIMIT 10)`);
      expect((await c.query(`SELECT count(*)::int AS n FROM "SendCountDelta"`)).rows[0].n).toBeGreaterThan(0);
    } finally {
      await c.end();
      await old.drop();
    }
  });
});
