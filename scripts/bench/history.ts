/**
 * `npm run bench:history` — send history as a large tenant keeps it for 90 days: 10,000,000 sends with their
 * message-trace rows (Send.deliveryState + one SendDelivery per recipient, lib/delivery), against a baseline
 * of 10,000 sends measured in the same run, in its own PostgreSQL database (gmp_bench_history on
 * TEST_DATABASE_ADMIN_URL's server, dropped at the end). BENCH_HISTORY_ROWS changes the large size.
 *  - server time (p50/p95 over RUNS runs) of the pages History serves — the first page, a filtered + searched
 *    page, a "failed after acceptance" + searched page, a sender's own first page, and a deep keyset page
 *    (a cursor half-way back through the 90 days) — through the same lib/history functions the page uses
 *    (findSends; Prisma + PostgreSQL), and the ratio of each large ÷ 10k;
 *  - the CSV export of every row through exportStream (the export route's function): time, bytes, and peak
 *    RSS after the first 100,000 rows against the peak at the end (memory must not grow with the rows);
 *  - how long the rows took to generate (with the chart's day rollups rebuilt after the bulk load, as the
 *    migration backfills them), and EXPLAIN (no timings) of each page's query at the large size.
 * Goals (every figure printed has one): p50 and p95 ≤ 50 ms at the large size; large ÷ 10k ≤ 2 wherever
 * the large figure is above 5 ms; export peak RSS at the end ≤ the peak after 1M rows (half the rows when fewer) + 16 MB
 * — the peak after 100k rows is printed too, not judged: V8 runs its first full collection only after some
 * 200–300k exported rows (measured on 1M rows: heap used 48 → 70 MB, then 22–31 MB flat to the end), so
 * until then the peak is the heap finding its size, not memory that grows with rows —, with every
 * row exported at ≥ 5,000 rows/s; generation ≤ 180 s per million rows. Prints JSON (also written to bench-results/history.json).
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { ADMIN_URL, applyMigrations, assertLocal } from "../../tests/support/db";
import { DAYS, seed } from "./history-seed";

// lib/ is `server-only`: run this file again under the react-server condition, where that import is empty.
if (!process.env.GMP_BENCH_CHILD) {
  const r = spawnSync(process.execPath, ["--conditions=react-server", "--expose-gc", "--import", "tsx", fileURLToPath(import.meta.url)], {
    stdio: "inherit",
    env: { ...process.env, GMP_BENCH_CHILD: "1" },
  });
  process.exit(r.status ?? 1);
}

const RUNS = 60;
const WARMUP = 5;
// BENCH_HISTORY_DB: another scratch database name, so two checkouts can run the benchmark on one server.
const DB = process.env.BENCH_HISTORY_DB ?? "gmp_bench_history";
if (!/^gmp_bench_[a-z0-9_]+$/.test(DB)) throw new Error("BENCH_HISTORY_DB must look like gmp_bench_<letters, digits, _> (it is dropped at the end).");
const SMALL = 10_000;
const LARGE = Number(process.env.BENCH_HISTORY_ROWS ?? 10_000_000);
if (!Number.isInteger(LARGE) || LARGE < 200_000) throw new Error("BENCH_HISTORY_ROWS must be a whole number of at least 200000 (the export's memory is compared after 100,000 rows).");
const GOAL = { p95Ms: 50, ratio: 2, ratioAboveMs: 5, exportGrowthMB: 16, exportRowsPerSecond: 5_000, seedSecondsPerMillion: 180 };

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Timing {
  p50: number;
  p95: number;
  runs: number;
}

async function timeIt(fn: () => Promise<unknown>): Promise<Timing> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const t: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const s = process.hrtime.bigint();
    await fn();
    t.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  t.sort((a, b) => a - b);
  return { p50: +pct(t, 50).toFixed(2), p95: +pct(t, 95).toFixed(2), runs: RUNS };
}

async function main() {
  assertLocal(ADMIN_URL);
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${DB}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${DB}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DB}`;
  await applyMigrations(url.toString());
  process.env.DATABASE_URL = url.toString();
  process.env.PORTAL_SECRET_KEY ??= randomBytes(32).toString("hex");

  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query(`INSERT INTO "Tenant"(id, name, "directoryId", "messageTrace", "updatedAt") SELECT 'tenant' || i, 'Tenant ' || i, 't' || i || '.example.com', i < 3, now() FROM generate_series(0, 4) i`);
  await client.query(`INSERT INTO "User"(id, email, role, "updatedAt") SELECT 'user' || i, 'user' || i || '@contoso.com', 'sender', now() FROM generate_series(0, 49) i`);

  // The History page's own functions (app/(portal)/history/page.tsx, app/api/history/export/route.ts).
  const { findSends } = await import("../../lib/history/find-sends");
  const { sendStats } = await import("../../lib/history/send-stats");
  const { foldSendCounts } = await import("../../lib/history/fold-send-counts");
  const { exportStream } = await import("../../lib/history/export-sends");
  const { filterSql, afterSql } = await import("../../lib/history/where");
  const { listSql } = await import("../../lib/history/columns");
  const { encodeCursor } = await import("../../lib/history/cursor");
  const { Prisma } = await import("../../generated/prisma/client");
  const { db } = await import("../../lib/db");
  const adminUser = { id: "bench-admin", name: "Bench", email: "bench@example.com", role: "admin" as const, tenantId: null };
  const sender = { ...adminUser, id: "user7", role: "sender" as const };
  const filtered = { status: "failed" as const, q: "invoice" };
  const failedAfterAcceptance = { status: "accepted" as const, delivery: "failed" as const, q: "invoice" };

  /** A cursor half-way back through the history: the row at the middle of the time range. */
  async function middleCursor(): Promise<string> {
    const { rows } = await client.query(`SELECT id, "createdAt" FROM "Send" WHERE "createdAt" <= now() - interval '${DAYS / 2} days' ORDER BY "createdAt" DESC, id DESC LIMIT 1`);
    return encodeCursor(rows[0] as { id: string; createdAt: Date });
  }

  async function measure(size: number) {
    const deep = await middleCursor();
    const pages = {
      firstPage: () => findSends(adminUser, {}),
      filteredSearchedPage: () => findSends(adminUser, filtered),
      failedAfterAcceptanceSearchedPage: () => findSends(adminUser, failedAfterAcceptance),
      senderOwnFirstPage: () => findSends(sender, {}),
      deepKeysetPage: () => findSends(adminUser, {}, { cursor: deep, limit: 50 }),
      // The chart above the table (app/(portal)/history/page.tsx): the default 14 days, and the whole 90.
      chart14Days: () => sendStats(adminUser, {}),
      chart90Days: () => sendStats(adminUser, { from: new Date(Date.now() - (DAYS - 1) * 86_400_000).toISOString().slice(0, 10) }),
    };
    const rowsOnPage: Record<string, number> = {};
    const timings: Record<string, Timing> = {};
    // One untimed pass over every page first (connection pool, query plans, the process's JIT).
    for (let i = 0; i < WARMUP * 4; i++) for (const fn of Object.values(pages)) await fn();
    for (const [name, fn] of Object.entries(pages)) {
      const r = await fn();
      rowsOnPage[name] = "rows" in r ? r.rows.length : r.bars.length;
      timings[name] = await timeIt(fn);
    }
    return { size, rowsOnPage, ...timings } as { size: number; rowsOnPage: Record<string, number> } & Record<keyof typeof pages, Timing>;
  }

  const counts = async () => {
    const { rows } = await client.query(`SELECT (SELECT count(*) FROM "Send")::int AS sends, (SELECT count(*) FROM "SendDelivery")::int AS deliveries,
      (SELECT count(*) FROM "Send" WHERE "deliveryState" = 'failed')::int AS "failedAfterAcceptance",
      (SELECT count(*) FROM "SendDayCount")::int AS "chartDayCountRows", (SELECT count(*) FROM "SendDayStatus")::int AS "chartDayStatusRows",
      (SELECT count(*) FROM "SendDaySender")::int AS "chartDaySenderRows", (SELECT count(*) FROM "SendCountDelta")::int AS "chartPendingDeltas"`);
    return rows[0] as { sends: number; deliveries: number; failedAfterAcceptance: number } & Record<string, number>;
  };

  const t0 = Date.now();
  await seed(client, 1, SMALL, 1, SMALL);
  // The chart's deltas (written by the triggers on "Send") folded into its day rollups, as the fold job does.
  await foldSendCounts();
  await client.query(`VACUUM (ANALYZE) "Send", "SendDelivery", "SendDayCount", "SendDayStatus", "SendDaySender", "SendCountDelta"`);
  const seedSmallMs = Date.now() - t0;
  const small = { ...(await measure(SMALL)), rows: await counts() };
  // Progress on stderr (a 10M run takes a while on a shared machine; the report is printed at the end).
  const progress = (what: string, data: unknown) => console.error(`[bench:history ${new Date().toISOString()}] ${what} ${JSON.stringify(data)}`);
  progress(`measured at ${SMALL}`, small);

  // Bulk load as one restores a backup: drop the secondary indexes, insert with foreign-key triggers off
  // (the rows are consistent by construction), rebuild the indexes once, vacuum.
  const t1 = Date.now();
  const indexes = (
    await client.query(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('Send', 'SendDelivery') AND indexname NOT IN ('Send_pkey', 'SendDelivery_pkey')`)
  ).rows as { indexname: string; indexdef: string }[];
  for (const ix of indexes) await client.query(`DROP INDEX "${ix.indexname}"`);
  await client.query(`SET session_replication_role = replica`);
  await client.query(`SET synchronous_commit = off`);
  await seed(client, SMALL + 1, LARGE, SMALL + 1, LARGE);
  await client.query(`RESET session_replication_role`);
  const insertMs = Date.now() - t1;
  progress(`inserted ${LARGE - SMALL} more sends`, { insertMs });
  await client.query(`SET maintenance_work_mem = '512MB'`);
  for (const ix of indexes) await client.query(ix.indexdef);
  const indexMs = Date.now() - t1 - insertMs;
  // The triggers were off, so the chart's rollups know nothing of the new rows: rebuild them as the migration
  // backfills them (send_rollups_rebuild(), migration 20261207090000; it also empties the delta log).
  await client.query(`SET work_mem = '256MB'`);
  await client.query(`SELECT send_rollups_rebuild()`);
  await client.query(`RESET work_mem`);
  const rollupMs = Date.now() - t1 - insertMs - indexMs;
  progress("chart rollups rebuilt", { rollupMs });
  await client.query(`VACUUM (ANALYZE) "Send", "SendDelivery", "SendDayCount", "SendDayStatus", "SendDaySender", "SendCountDelta"`);
  const seedLargeMs = Date.now() - t1;
  progress("indexes rebuilt and vacuumed", { indexMs, seedLargeMs });
  const large = { ...(await measure(LARGE)), rows: await counts() };
  progress(`measured at ${LARGE}`, large);

  // EXPLAIN (plan only, no timings) of each page's query as findSends builds it, at the large size.
  const explain = async (where: InstanceType<typeof Prisma.Sql>) => {
    const q = listSql(where, "desc", 51);
    const { rows } = await client.query(`EXPLAIN (COSTS OFF) ${q.text}`, q.values as unknown[]);
    return (rows as { "QUERY PLAN": string }[]).map((r) => r["QUERY PLAN"]).filter((l) => /Scan|Index Cond|Filter/.test(l) && !/on (Tenant|User|ApiKey|page)\b|"(Tenant|User|ApiKey)"/.test(l)).map((l) => l.trim());
  };
  const { rows: deepRow } = await client.query(`SELECT id, "createdAt" FROM "Send" WHERE "createdAt" <= now() - interval '${DAYS / 2} days' ORDER BY "createdAt" DESC, id DESC LIMIT 1`);
  const plans = {
    firstPage: await explain(filterSql(adminUser, {})),
    filteredSearchedPage: await explain(filterSql(adminUser, filtered)),
    failedAfterAcceptanceSearchedPage: await explain(filterSql(adminUser, failedAfterAcceptance)),
    senderOwnFirstPage: await explain(filterSql(sender, {})),
    deepKeysetPage: await explain(Prisma.join([filterSql(adminUser, {}), afterSql(deepRow[0] as { id: string; createdAt: Date }, "next")], " AND ")),
  };

  // The export of every row as CSV, consumed as a client would; RSS sampled every 20 ms.
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const te = Date.now();
  let bytes = 0;
  let lines = 0;
  let peakAt100k = 0;
  const checkpoint = Math.min(1_000_000, Math.floor(LARGE / 2));
  let peakAtCheckpoint = 0;
  const reader = exportStream(adminUser, {}, "csv").getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    for (let i = 0; i < value.length; i++) if (value[i] === 10) lines++;
    if (peakAt100k === 0 && lines > 100_000) peakAt100k = Math.max(peak, process.memoryUsage().rss);
    if (peakAtCheckpoint === 0 && lines > checkpoint) peakAtCheckpoint = Math.max(peak, process.memoryUsage().rss);
  }
  const exportMs = Date.now() - te;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const exported = lines - 1; // the header line

  type Page = "firstPage" | "filteredSearchedPage" | "failedAfterAcceptanceSearchedPage" | "senderOwnFirstPage" | "deepKeysetPage" | "chart14Days" | "chart90Days";
  const PAGES: Page[] = ["firstPage", "filteredSearchedPage", "failedAfterAcceptanceSearchedPage", "senderOwnFirstPage", "deepKeysetPage", "chart14Days", "chart90Days"];
  const ratios = Object.fromEntries(PAGES.map((k) => [k, { p50: +(large[k].p50 / small[k].p50).toFixed(2), p95: +(large[k].p95 / small[k].p95).toFixed(2) }])) as Record<Page, { p50: number; p95: number }>;
  const exportFig = {
    rows: exported,
    ms: exportMs,
    rowsPerSecond: Math.round((exported / exportMs) * 1000),
    megabytes: +(bytes / 1e6).toFixed(1),
    peakRssDeltaAfter100kRowsMB: +((peakAt100k - rssBefore) / 1e6).toFixed(1),
    [`peakRssDeltaAfter${checkpoint}RowsMB`]: +((peakAtCheckpoint - rssBefore) / 1e6).toFixed(1),
    peakRssDeltaAtEndMB: +((peak - rssBefore) / 1e6).toFixed(1),
  };
  const seedSecondsPerMillion = +((seedLargeMs / 1000 / (LARGE - SMALL)) * 1e6).toFixed(1);
  const misses: string[] = [];
  for (const k of PAGES) {
    for (const p of ["p50", "p95"] as const) {
      if (large[k][p] > GOAL.p95Ms) misses.push(`${k} ${p} ${large[k][p]} ms > ${GOAL.p95Ms} ms`);
      if (large[k][p] > GOAL.ratioAboveMs && ratios[k][p] > GOAL.ratio) misses.push(`${k} ${p} ratio ${ratios[k][p]} > ${GOAL.ratio} at ${large[k][p]} ms`);
    }
  }
  const grewAfterCheckpoint = (peak - peakAtCheckpoint) / 1e6;
  if (grewAfterCheckpoint > GOAL.exportGrowthMB) misses.push(`export memory grew ${grewAfterCheckpoint.toFixed(1)} MB after ${checkpoint} rows`);
  if (exportFig.rowsPerSecond < GOAL.exportRowsPerSecond) misses.push(`export ran at ${exportFig.rowsPerSecond} rows/s`);
  if (exported !== large.rows.sends) misses.push(`export wrote ${exported} rows of ${large.rows.sends}`);
  if (seedSecondsPerMillion > GOAL.seedSecondsPerMillion) misses.push(`generation took ${seedSecondsPerMillion} s per million rows`);

  const report = {
    runsPerFigure: RUNS,
    [`at${SMALL}`]: small,
    [`at${LARGE}`]: large,
    [`ratio${LARGE}over${SMALL}`]: ratios,
    [`export${LARGE}`]: exportFig,
    generation: { smallMs: seedSmallMs, largeMs: seedLargeMs, insertMs, indexMs, chartRollupMs: rollupMs, vacuumMs: seedLargeMs - insertMs - indexMs - rollupMs, secondsPerMillionRows: seedSecondsPerMillion },
    goal: `every page's p50 and p95 ≤ ${GOAL.p95Ms} ms at ${LARGE} sends; ${LARGE} ÷ ${SMALL} ≤ ${GOAL.ratio} wherever the ${LARGE} figure is above ${GOAL.ratioAboveMs} ms; export: every row, ≥ ${GOAL.exportRowsPerSecond} rows/s, peak RSS at the end ≤ after ${checkpoint} rows + ${GOAL.exportGrowthMB} MB (after 100k rows: context, the heap still finding its size); generation ≤ ${GOAL.seedSecondsPerMillion} s per million rows`,
    goalMet: misses.length === 0,
    misses,
    plans: plans,
  };
  await mkdir("bench-results", { recursive: true });
  await writeFile("bench-results/history.json", JSON.stringify(report, null, 2));
  console.log(JSON.stringify(report, null, 2));
  await client.end();
  await db().$disconnect();
  await admin.query(`DROP DATABASE IF EXISTS "${DB}" WITH (FORCE)`);
  await admin.end();
  if (misses.length > 0) process.exitCode = 1;
}

main().catch(async (err: unknown) => {
  console.error(err);
  // Never leave gigabytes of scratch rows behind.
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${DB}" WITH (FORCE)`);
  await admin.end();
  process.exit(1);
});
