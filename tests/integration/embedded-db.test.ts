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
