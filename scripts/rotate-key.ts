/**
 * `npm run rotate-key` — re-encrypts every encrypted column (lib/secret-columns.ts) under the current
 * PORTAL_SECRET_KEY, reading old values with the keys in PORTAL_PREVIOUS_SECRET_KEYS. Legacy v1 values
 * (no key id, purpose-only binding) are rewritten as v2 as well. See README, "Rotating PORTAL_SECRET_KEY".
 *
 *   --new-key        demo mode only (PORTAL_SECRET_KEY unset, key in <data dir>/secret.key): first make a
 *                    new key there and keep the old one in <data dir>/previous-secret.keys
 *   --batch-size N   rows read per batch (default 100)
 *   --limit N        stop after N values were re-encrypted (a partial run: run again to continue)
 *
 * Safe to interrupt and run again: every row is rewritten on its own with a compare-and-swap on the old
 * ciphertext (a value changed meanwhile by the portal is left alone and counted), and values already under
 * the current key are skipped. Exit status: 0 done (or --limit reached), 1 some value could not be
 * decrypted with any configured key, 2 bad usage or configuration, 3 values remain (changed while this
 * ran): run again.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { appendFile, readFile, rename, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";

// lib/ is `server-only`: it loads under the react-server condition only, where that import is empty.
// `npm run rotate-key` starts Node with it; run another way (`npx tsx scripts/rotate-key.ts`), this file
// runs itself again with it.
const reactServer = process.execArgv.join(" ").includes("react-server") || (process.env.NODE_OPTIONS ?? "").includes("react-server");
if (!reactServer && !process.env.GMP_ROTATE_KEY_CHILD) {
  const r = spawnSync(process.execPath, ["--conditions=react-server", "--import", "tsx", fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, GMP_ROTATE_KEY_CHILD: "1" },
  });
  process.exit(r.status ?? 1);
}

class UsageError extends Error {}

const log = (line: string) => console.log(`[rotate-key] ${line}`);

function positive(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a whole number of at least 1`);
  return n;
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(true));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(false)));
  });
}

/** Demo mode: the key files `npm start` uses (scripts/start/secret-key.ts). */
async function demoKeys(dataDir: string, newKey: boolean): Promise<void> {
  const keyFile = path.join(dataDir, "secret.key");
  const previousFile = path.join(dataDir, "previous-secret.keys");
  if (!existsSync(keyFile)) throw new UsageError(`PORTAL_SECRET_KEY is not set and there is no demo key in ${keyFile}: nothing to rotate from`);
  if (newKey) {
    // The old key is kept first, the new one written second (write + rename): a crash between the two
    // leaves the old key in both files, which is harmless.
    const old = (await readFile(keyFile, "utf8")).trim();
    await appendFile(previousFile, `${old}\n`, { mode: 0o600 });
    const tmp = `${keyFile}.new`;
    await writeFile(tmp, `${randomBytes(32).toString("hex")}\n`, { mode: 0o600 });
    await rename(tmp, keyFile);
    log(`new key written to ${keyFile}; the old one is kept in ${previousFile} until every value is rotated`);
  }
  process.env.PORTAL_SECRET_KEY = (await readFile(keyFile, "utf8")).trim();
  const previous = existsSync(previousFile) ? (await readFile(previousFile, "utf8")).split(/\s+/).filter(Boolean) : [];
  const fromEnv = (process.env.PORTAL_PREVIOUS_SECRET_KEYS ?? "").split(",").map((k) => k.trim()).filter(Boolean);
  process.env.PORTAL_PREVIOUS_SECRET_KEYS = [...fromEnv, ...previous].join(",");
}

interface Totals {
  rotated: number;
  changed: number;
  failed: { where: string; message: string }[];
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { "new-key": { type: "boolean", default: false }, "batch-size": { type: "string" }, limit: { type: "string" } },
    strict: true,
  });
  const batchSize = positive("batch-size", values["batch-size"], 100);
  const limit = values.limit === undefined ? Infinity : positive("limit", values.limit, 1);
  const dataDir = path.resolve(process.env.PORTAL_DATA_DIR ?? ".data");
  const demo = !process.env.PORTAL_SECRET_KEY;
  if (values["new-key"] && !demo) {
    throw new UsageError(
      "--new-key is for the demo key under the data dir. With PORTAL_SECRET_KEY set, set it to the new key and put the old one in PORTAL_PREVIOUS_SECRET_KEYS yourself (README, \"Rotating PORTAL_SECRET_KEY\")",
    );
  }
  const embeddedDb = !process.env.DATABASE_URL;
  if (embeddedDb) {
    // The embedded database is a folder only one process may open: `npm start` must not be running.
    // Checked before any key file changes.
    const port = Number(process.env.PORTAL_EMBEDDED_DB_PORT) || 54329;
    if (await portInUse(port)) {
      throw new UsageError(
        `port ${port} is in use, most likely by \`npm start\`'s embedded database: stop the portal first (only one process may open ${path.join(dataDir, "pglite")}). If something else holds the port, set PORTAL_EMBEDDED_DB_PORT to a free one`,
      );
    }
  }
  if (demo) await demoKeys(dataDir, values["new-key"]);

  let stopEmbedded: (() => Promise<void>) | undefined;
  if (embeddedDb) {
    const { startEmbeddedDb } = await import("./start/database");
    const embedded = await startEmbeddedDb(dataDir);
    process.env.DATABASE_URL = embedded.url;
    stopEmbedded = () => embedded.stop();
  }

  // lib/ reads the environment once, on first use: only now, with keys and database settled.
  const { configuredKeys, decryptSecret, encryptSecret, keyId } = await import("../lib/crypto");
  const { ENCRYPTED_COLUMNS } = await import("../lib/secret-columns");
  let keys;
  try {
    keys = configuredKeys();
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message.split("\n").join(" ") : String(err));
  }
  const kid = keyId(keys.current);
  const prefix = `v2.${kid}.`;
  log(`current key id ${kid}; previous key ids: ${(keys.previous ?? []).map(keyId).join(", ") || "none"}`);
  log("note: the session signing key derives from PORTAL_SECRET_KEY, so after a key change everyone signs in again");

  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  const totals: Totals = { rotated: 0, changed: 0, failed: [] };
  let remaining = 0;
  try {
    outer: for (const c of ENCRYPTED_COLUMNS) {
      // Identifiers come from the fixed list in lib/secret-columns.ts, never from input.
      const t = `"${c.table}"`;
      const col = `"${c.column}"`;
      let after = "";
      let columnRotated = 0;
      for (;;) {
        const batch = await client.query<{ id: string; value: string }>(
          `SELECT id, ${col} AS value FROM ${t} WHERE ${col} IS NOT NULL AND NOT starts_with(${col}, $1) AND id > $2 ORDER BY id LIMIT $3`,
          [prefix, after, batchSize],
        );
        if (batch.rows.length === 0) {
          if (after === "") log(`${c.table}.${c.column}: nothing to re-encrypt`);
          break;
        }
        for (const row of batch.rows) {
          after = row.id;
          const binding = { purpose: c.purpose, rowId: row.id };
          let plain: string;
          try {
            plain = decryptSecret(row.value, binding, keys);
          } catch (err) {
            const message = err && typeof err === "object" && "userMessage" in err ? String(err.userMessage) : String(err);
            totals.failed.push({ where: `${c.table}.${c.column} of row ${row.id}`, message });
            continue;
          }
          // Compare-and-swap: a value the portal rewrote meanwhile is the newer one and stays.
          const u = await client.query(`UPDATE ${t} SET ${col} = $1 WHERE id = $2 AND ${col} = $3`, [encryptSecret(plain, binding, keys), row.id, row.value]);
          if (u.rowCount === 1) {
            totals.rotated++;
            columnRotated++;
          } else totals.changed++;
          if (totals.rotated >= limit) break;
        }
        log(`${c.table}.${c.column}: ${columnRotated} re-encrypted so far`);
        if (totals.rotated >= limit) break outer;
      }
    }
    for (const c of ENCRYPTED_COLUMNS) {
      const r = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${c.table}" WHERE "${c.column}" IS NOT NULL AND NOT starts_with("${c.column}", $1)`, [prefix]);
      remaining += Number(r.rows[0]?.n ?? 0);
    }
  } finally {
    await client.end();
    await stopEmbedded?.();
  }

  log(`${totals.rotated} value(s) re-encrypted under key ${kid}; ${totals.changed} changed by the portal meanwhile (left as written); ${totals.failed.length} unreadable; ${remaining} not under key ${kid}`);
  if (totals.failed.length > 0) {
    for (const f of totals.failed.slice(0, 50)) console.error(`[rotate-key] cannot decrypt ${f.where} with any configured key: ${f.message}`);
    if (totals.failed.length > 50) console.error(`[rotate-key] … and ${totals.failed.length - 50} more`);
    console.error(
      "[rotate-key] FAILED: add the key those values were written with to PORTAL_PREVIOUS_SECRET_KEYS and run again, or enter those secrets again in the portal (tenant: setup wizard credential step, account: sign in with Microsoft again). Keep the previous keys until this succeeds.",
    );
    return 1;
  }
  if (totals.rotated >= limit && remaining > 0) {
    log(`stopped after --limit ${values.limit}: run again to continue`);
    return 0;
  }
  if (remaining > 0) {
    console.error(`[rotate-key] ${remaining} value(s) are not under key ${kid} yet (written meanwhile with another key?): run again`);
    return 3;
  }
  if (demo) {
    const previousFile = path.join(dataDir, "previous-secret.keys");
    if (existsSync(previousFile)) {
      await rm(previousFile);
      log(`removed ${previousFile}: no value needs the old key any more`);
    }
  } else if (keys.previous?.length) {
    log("done: every value is under the current key. Remove PORTAL_PREVIOUS_SECRET_KEYS from the portal's configuration and restart it");
  }
  log("done");
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`[rotate-key] ${err.message}`);
      process.exit(2);
    }
    console.error(`[rotate-key] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
