/**
 * GET /api/health/ready on a database migrated the way `npm start` and production do it (the real
 * `prisma migrate deploy`, which keeps Prisma's migrations table): ready only with the database up, every
 * migration applied and the outbox worker polling; each failing check says why.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { createTestDatabase } from "../support/db";
import { migrate } from "../../scripts/start/migrate";
import type * as ReadinessModule from "@/lib/health/readiness";
import type * as WorkerModule from "@/lib/outbox/worker";

let dbh: { url: string; drop(): Promise<void> };
let dataDir: string;
let lib: { readiness: typeof ReadinessModule; worker: typeof WorkerModule };
let get: () => Promise<Response>;

beforeAll(async () => {
  dbh = await createTestDatabase({ before: "0" }); // empty: migrated below as production does
  await migrate({ ...process.env, DATABASE_URL: dbh.url });
  dataDir = mkdtempSync(path.join(tmpdir(), "gmp-ready-"));
  process.env.DATABASE_URL = dbh.url;
  process.env.PORTAL_SECRET_KEY = randomBytes(32).toString("hex");
  process.env.PORTAL_DATA_DIR = dataDir;
  lib = { readiness: await import("@/lib/health/readiness"), worker: await import("@/lib/outbox/worker") };
  get = (await import("@/app/api/health/ready/route")).GET;
}, 120_000);

afterAll(async () => {
  await lib?.worker.outboxWorker()?.stop();
  const { db } = await import("@/lib/db");
  await db().$disconnect();
  await dbh?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("readiness", () => {
  it("is not ready before the outbox worker runs, then ready once it has polled", async () => {
    const before = await get();
    expect(before.status).toBe(503);
    const body = (await before.json()) as { status: string; checks: Record<string, { ok: boolean; detail: string }> };
    expect(body.status).toBe("not ready");
    expect(body.checks.database).toMatchObject({ ok: true });
    expect(body.checks.migrations).toMatchObject({ ok: true, detail: expect.stringMatching(/none pending/) });
    expect(body.checks.worker).toEqual({ ok: false, detail: "not started" });

    lib.worker.startOutboxWorker({ pollMs: 250 });
    let ready: Response | null = null;
    for (let i = 0; i < 100 && ready?.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      ready = await get();
    }
    expect(ready?.status).toBe(200);
    expect(await ready!.json()).toMatchObject({ status: "ready", checks: { worker: { ok: true } } });
  });

  it("names a migration that is in the release but not applied, and one that failed", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "gmp-migrations-"));
    try {
      for (const m of ["20200101000000_first", "29990101000000_not_yet"]) mkdirSync(path.join(dir, m));
      const c = new pg.Client({ connectionString: dbh.url });
      await c.connect();
      try {
        await c.query(`INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count, finished_at) VALUES ($1, 'x', '20200101000000_first', now(), 1, now())`, [randomBytes(8).toString("hex")]);
        const pending = await lib.readiness.checkMigrations(dir);
        expect(pending.ok).toBe(false);
        expect(pending.detail).toContain("29990101000000_not_yet");
        expect(pending.detail).not.toContain("20200101000000_first");
        // A migration that started and never finished (prisma migrate deploy stopped half-way).
        await c.query(`INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, 'x', '29990101000000_not_yet', now(), 0)`, [randomBytes(8).toString("hex")]);
        const failed = await lib.readiness.readiness();
        expect(failed.ready).toBe(false);
        expect(failed.checks.migrations.detail).toMatch(/^failed: 29990101000000_not_yet/);
        await c.query(`DELETE FROM _prisma_migrations WHERE migration_name IN ('20200101000000_first', '29990101000000_not_yet')`);
      } finally {
        await c.end();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is not ready once the worker stops", async () => {
    await lib.worker.outboxWorker()!.stop();
    const r = await get();
    expect(r.status).toBe(503);
    expect(await r.json()).toMatchObject({ checks: { worker: { ok: false, detail: "stopped" }, database: { ok: true }, migrations: { ok: true } } });
  });
});
