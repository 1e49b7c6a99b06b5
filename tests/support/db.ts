/**
 * A throwaway PostgreSQL database per test file, with the real migrations applied. Refuses anything but
 * a local server so a test can never touch a real database.
 */
import { randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

export const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export function assertLocal(url: string): void {
  const host = new URL(url).hostname;
  if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(host)) {
    throw new Error(`refusing to run tests against a non-local database host: ${host}`);
  }
}

/** Applies the migrations in order; `before` stops at the first migration whose folder name is not less (upgrade tests). */
export async function applyMigrations(url: string, opts: { before?: string; from?: string } = {}): Promise<void> {
  const dir = path.resolve("prisma/migrations");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const m of (await readdir(dir)).filter((d) => /^\d+_/.test(d)).sort()) {
      if (opts.before && m >= opts.before) break;
      if (opts.from && m < opts.from) continue;
      await client.query(await readFile(path.join(dir, m, "migration.sql"), "utf8"));
    }
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(opts: { before?: string } = {}): Promise<{ url: string; drop(): Promise<void> }> {
  assertLocal(ADMIN_URL);
  const name = `gmp_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  await applyMigrations(url.toString(), opts);
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists "${name}" with (force)`);
      await c.end();
    },
  };
}
