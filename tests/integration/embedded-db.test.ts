import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { startEmbeddedDb, type EmbeddedDb } from "../../scripts/start/database";
import { migrate } from "../../scripts/start/migrate";

// `npm start` without DATABASE_URL: PGlite behind a socket in the start process, migrated by Prisma's CLI.
let db: EmbeddedDb | undefined;
let dir: string;

afterAll(async () => {
  await db?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it("serves the embedded database to Prisma's migrate deploy and to pg, and keeps data across restarts", async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "gmp-pglite-"));
  db = await startEmbeddedDb(dir, { port: 0 });
  await migrate({ ...process.env, DATABASE_URL: db.url });

  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query(`insert into "AuditEvent" (id, action) values ('a1', 'test.embedded')`);
  await client.end();
  await db.stop();

  db = await startEmbeddedDb(dir, { port: 0 });
  const again = new pg.Client({ connectionString: db.url });
  await again.connect();
  const rows = await again.query(`select action from "AuditEvent"`);
  const migrations = await again.query(`select count(*)::int as n from "_prisma_migrations" where finished_at is not null`);
  await again.end();
  expect(rows.rows).toEqual([{ action: "test.embedded" }]);
  expect(migrations.rows[0].n).toBeGreaterThanOrEqual(2);
}, 120_000);

it("keeps concurrent connections' parameterised queries and transactions apart (one PGlite session underneath)", async () => {
  const dir2 = await mkdtemp(path.join(os.tmpdir(), "gmp-pglite-"));
  const server = await startEmbeddedDb(dir2, { port: 0 });
  const clients = await Promise.all(
    Array.from({ length: 6 }, async () => {
      const c = new pg.Client({ connectionString: server.url });
      await c.connect();
      return c;
    }),
  );
  const client = (i: number) => clients[i]!;
  try {
    await client(0).query("create table t (n int)");
    // A pool of six connections (as the portal opens) sending parameterised queries of three shapes at once,
    // two of them with 200 KB values — large enough to arrive in several TCP chunks, so another connection's
    // batch can arrive in between. Before the fix one connection's Bind met another's unnamed statement
    // ("bind message supplies 2 parameters, but prepared statement "" requires 3"), a few times per 300.
    const pool = new pg.Pool({ connectionString: server.url, max: 6 });
    const big = (i: number) => "x".repeat(200_000 + i);
    const shapes = [
      (i: number) => ({ text: "select $1::int as a", values: [i], expect: { a: i } }),
      (i: number) => ({ text: "select $1::int as a, length($2::text) as b", values: [i, big(i)], expect: { a: i, b: 200_000 + i } }),
      (i: number) => ({ text: "select $1::int + $3::int as s, length($2::text) as b", values: [i, big(i), 2], expect: { s: i + 2, b: 200_000 + i } }),
    ];
    const outcomes = await Promise.all(
      Array.from({ length: 900 }, async (_, i) => {
        const q = shapes[i % 3]!(i);
        try {
          const r = await pool.query(q.text, q.values);
          return JSON.stringify(r.rows) === JSON.stringify([q.expect]) ? "ok" : `wrong rows for query ${i}`;
        } catch (e) {
          return (e as Error).message;
        }
      }),
    );
    await pool.end();
    expect(outcomes.filter((o) => o !== "ok")).toEqual([]);
    // A transaction on one connection is not seen half-done by another, and a connection that leaves in the
    // middle of its transaction has it rolled back without blocking the rest.
    await client(1).query("begin");
    await client(1).query("insert into t values ($1)", [1]);
    const others = client(2).query("select count(*)::int as n from t");
    await client(1).query("insert into t values ($1)", [2]);
    await client(1).query("commit");
    expect((await others).rows).toEqual([{ n: 2 }]);
    await client(3).query("begin");
    await client(3).query("insert into t values ($1)", [3]);
    await client(3).end();
    expect((await client(4).query("select count(*)::int as n from t")).rows).toEqual([{ n: 2 }]);
    // A failing statement fails only itself; the queue goes on.
    await expect(client(5).query("select $1::int / 0 as x", [1])).rejects.toThrow(/division by zero/);
    expect((await client(0).query("select $1::text as ok", ["yes"])).rows).toEqual([{ ok: "yes" }]);
  } finally {
    await Promise.all(clients.filter((_, i) => i !== 3).map((c) => c.end().catch(() => {})));
    await server.stop();
    await rm(dir2, { recursive: true, force: true });
  }
}, 120_000);
