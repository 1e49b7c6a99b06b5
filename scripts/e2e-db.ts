/** Before an end-to-end run: a fresh, empty database and data folder (local databases only). */
import { rm } from "node:fs/promises";
import pg from "pg";
import { E2E } from "../e2e/env";
import { assertLocal } from "../tests/support/db";

async function main() {
  assertLocal(E2E.databaseUrl);
  const url = new URL(E2E.databaseUrl);
  const name = url.pathname.slice(1);
  url.pathname = "/postgres";
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query(`drop database if exists "${name}" with (force)`);
  await client.query(`create database "${name}"`);
  await client.end();
  await rm(E2E.dataDir, { recursive: true, force: true });
  console.log(`[e2e] fresh database ${name} and ${E2E.dataDir}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
