/**
 * `npm run bench:history` — send history at 10,000 and 1,000,000 sends, in its own PostgreSQL database
 * (gmp_bench_history on TEST_DATABASE_ADMIN_URL's server, dropped at the end):
 *  - server time (p50/p95 over RUNS runs) of the first page, a filtered + searched page, a sender's own
 *    first page and a deep keyset page, through the real lib/history code (Prisma + PostgreSQL);
 *  - ratio 1M ÷ 10k for each (the 10k figures are the in-run baseline; goal ≤ 2, p95 ≤ 50 ms at 1M);
 *  - an OFFSET page at the same depth as the deep keyset page, for contrast;
 *  - the CSV export of all 1M rows: time, bytes, peak RSS delta;
 *  - EXPLAIN of each list query at 1M (which index it uses).
 * Prints JSON (also written to bench-results/history.json).
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { ADMIN_URL, applyMigrations, assertLocal } from "../../tests/support/db";

// lib/ is `server-only`: run this file again under the react-server condition, where that import is empty.
if (!process.env.GMP_BENCH_CHILD) {
  const r = spawnSync(process.execPath, ["--conditions=react-server", "--import", "tsx", fileURLToPath(import.meta.url)], {
    stdio: "inherit",
    env: { ...process.env, GMP_BENCH_CHILD: "1" },
  });
  process.exit(r.status ?? 1);
}

const RUNS = 60;
const WARMUP = 5;
const DB = "gmp_bench_history";

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function timeIt(fn: () => Promise<unknown>): Promise<{ p50: number; p95: number; runs: number }> {
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

/** Sends spread over the last 365 days: 5 tenants, 40 sender mailboxes, 50 portal users, 8 subject kinds. */
async function seed(client: pg.Client, from: number, to: number): Promise<void> {
  for (let start = from; start <= to; start += 200_000) {
    const end = Math.min(to, start + 199_999);
    await client.query(`
      INSERT INTO "Send"(id, "tenantId", mode, status, "actorUserId", "fromAddress", "toAddresses", "ccAddresses", "bccAddresses",
                         "recipientCount", subject, body, "sizeBytes", attachments, "attemptCount", "createdAt", "updatedAt", "completedAt")
      SELECT 'b' || md5(i::text), 'tenant' || (i % 5), (ARRAY['app','delegated','api','bulk'])[1 + i % 4]::"SendMode",
             (CASE WHEN i % 25 = 0 THEN 'failed' WHEN i % 97 = 0 THEN 'uncertain' WHEN i % 101 = 0 THEN 'queued' ELSE 'accepted' END)::"SendStatus",
             'user' || (i % 50), 'mailbox' || (i % 40) || '@contoso.com',
             ARRAY['person' || (i % 5000) || '@fabrikam.com'], CASE WHEN i % 3 = 0 THEN ARRAY['cc' || (i % 700) || '@contoso.com'] ELSE '{}' END, '{}',
             1 + (i % 3 = 0)::int,
             (ARRAY['Invoice','Welcome aboard','Password reset','Weekly report','Shipping notice','Meeting invitation','Payroll slip','Security alert'])[1 + (i * 7) % 8]
               || ' ' || (i % 10007),
             '<p>Hello</p>', 2000 + i % 50000, '[]', 1,
             now() - (random() * interval '365 days'), now(), now()
      FROM generate_series($1::int, $2::int) AS i`, [start, end]);
  }
  await client.query(`ANALYZE "Send"`);
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
  await client.query(`INSERT INTO "Tenant"(id, name, "directoryId", "updatedAt") SELECT 'tenant' || i, 'Tenant ' || i, 't' || i || '.example.com', now() FROM generate_series(0, 4) i`);
  await client.query(`INSERT INTO "User"(id, email, role, "updatedAt") SELECT 'user' || i, 'user' || i || '@contoso.com', 'sender', now() FROM generate_series(0, 49) i`);

  const { findSends } = await import("../../lib/history/find-sends");
  const { exportStream } = await import("../../lib/history/export-sends");
  const { db } = await import("../../lib/db");
  const adminUser = { id: "bench-admin", name: "Bench", email: "bench@example.com", role: "admin" as const, tenantId: null };
  const sender = { ...adminUser, id: "user7", role: "sender" as const };
  const filtered = { status: "failed" as const, q: "invoice" };

  async function measure(size: number) {
    // A cursor ~2,000 rows deep (page 41 of 50 rows), taken by walking the keyset pages.
    let cursor: string | undefined;
    for (let i = 0; i < 40; i++) cursor = (await findSends(adminUser, {}, { cursor, limit: 50 })).next ?? undefined;
    const firstPage = await findSends(adminUser, {});
    const filteredPage = await findSends(adminUser, filtered);
    return {
      size,
      rowsOnPage: { first: firstPage.rows.length, filteredSearched: filteredPage.rows.length },
      firstPage: await timeIt(() => findSends(adminUser, {})),
      filteredSearchedPage: await timeIt(() => findSends(adminUser, filtered)),
      senderOwnFirstPage: await timeIt(() => findSends(sender, {})),
      keysetPage41: await timeIt(() => findSends(adminUser, {}, { cursor, limit: 50 })),
      offsetPage41: await timeIt(() => db().$queryRawUnsafe(`SELECT id FROM "Send" ORDER BY "createdAt" DESC, id DESC OFFSET 2000 LIMIT 51`)),
    };
  }

  const t0 = Date.now();
  await seed(client, 1, 10_000);
  const seed10kMs = Date.now() - t0;
  const small = await measure(10_000);
  const t1 = Date.now();
  // Bulk load as one would restore a backup: drop the secondary indexes, insert, rebuild them once.
  const indexes = (await client.query(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'Send' AND indexname <> 'Send_pkey'`)).rows as { indexname: string; indexdef: string }[];
  for (const ix of indexes) await client.query(`DROP INDEX "${ix.indexname}"`);
  await seed(client, 10_001, 1_000_000);
  await client.query(`SET maintenance_work_mem = '256MB'`);
  for (const ix of indexes) await client.query(ix.indexdef);
  await client.query(`ANALYZE "Send"`);
  const seed1mMs = Date.now() - t1;
  const large = await measure(1_000_000);

  const explain = async (sql: string) =>
    ((await client.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql}`)).rows as { "QUERY PLAN": string }[]).map((r) => r["QUERY PLAN"]).filter((l) => /Scan|Limit|Sort|Filter|Index Cond|Recheck|Execution/.test(l)).map((l) => l.trim());
  const plans = {
    firstPage: await explain(`SELECT id FROM "Send" s WHERE TRUE ORDER BY "createdAt" DESC, id DESC LIMIT 51`),
    filteredSearched: await explain(`SELECT id FROM "Send" s WHERE s.status = 'failed' AND s."searchVector" @@ to_tsquery('simple', 'invoice:*') ORDER BY "createdAt" DESC, id DESC LIMIT 51`),
    senderOwn: await explain(`SELECT id FROM "Send" s WHERE s."actorUserId" = 'user7' ORDER BY "createdAt" DESC, id DESC LIMIT 51`),
    senderFilter: await explain(`SELECT id FROM "Send" s WHERE lower(s."fromAddress") = 'mailbox7@contoso.com' ORDER BY "createdAt" DESC, id DESC LIMIT 51`),
    rareSearch: await explain(`SELECT id FROM "Send" s WHERE s."searchVector" @@ to_tsquery('simple', 'person4242:*') ORDER BY "createdAt" DESC, id DESC LIMIT 51`),
    recipient: await explain(`SELECT id FROM "Send" s WHERE (s."toAddresses" || s."ccAddresses" || s."bccAddresses") @> ARRAY['person4242@fabrikam.com'] ORDER BY "createdAt" DESC, id DESC LIMIT 51`),
  };

  // Export of all 1M rows as CSV, consumed as a client would; RSS sampled every 20 ms.
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const te = Date.now();
  let bytes = 0;
  let lines = 0;
  let peakAt100k = 0;
  const reader = exportStream(adminUser, {}, "csv").getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    for (let i = 0; i < value.length; i++) if (value[i] === 10) lines++;
    // Memory must not grow with the row count: note the peak after the first 100k rows too.
    if (peakAt100k === 0 && lines >= 100_000) peakAt100k = Math.max(peak, process.memoryUsage().rss);
  }
  const exportMs = Date.now() - te;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);

  const ratio = (k: "firstPage" | "filteredSearchedPage" | "senderOwnFirstPage" | "keysetPage41") => ({
    p50: +(large[k].p50 / small[k].p50).toFixed(2),
    p95: +(large[k].p95 / small[k].p95).toFixed(2),
  });
  const report = {
    runsPerFigure: RUNS,
    seedMs: { "10k": seed10kMs, "1M (990k more)": seed1mMs },
    at10k: small,
    at1M: large,
    ratio1Mover10k: {
      firstPage: ratio("firstPage"),
      filteredSearchedPage: ratio("filteredSearchedPage"),
      senderOwnFirstPage: ratio("senderOwnFirstPage"),
      keysetPage41: ratio("keysetPage41"),
      offsetPage41: { p50: +(large.offsetPage41.p50 / small.offsetPage41.p50).toFixed(2) },
    },
    goals: {
      ratioAtMost2: ["firstPage", "filteredSearchedPage"].every((k) => ratio(k as "firstPage").p95 <= 2),
      p95AtMost50msAt1M: large.firstPage.p95 <= 50 && large.filteredSearchedPage.p95 <= 50,
    },
    export1M: { rows: lines - 1, ms: exportMs, rowsPerSecond: Math.round(((lines - 1) / exportMs) * 1000), megabytes: +(bytes / 1e6).toFixed(1), peakRssDeltaMB: +((peak - rssBefore) / 1e6).toFixed(1), peakRssDeltaAfter100kRowsMB: +((peakAt100k - rssBefore) / 1e6).toFixed(1) },
    plansAt1M: plans,
  };
  await mkdir("bench-results", { recursive: true });
  await writeFile("bench-results/history.json", JSON.stringify(report, null, 2));
  console.log(JSON.stringify(report, null, 2));
  await client.end();
  await db().$disconnect();
  await admin.query(`DROP DATABASE IF EXISTS "${DB}" WITH (FORCE)`);
  await admin.end();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
