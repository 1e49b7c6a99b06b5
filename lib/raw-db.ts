import "server-only";
import pg from "pg";
import { env } from "./env";
import { logError } from "./log";

/**
 * A small raw `pg` pool on the portal's database, for the few statements every relayed message and every
 * upload runs (upload admission and bookkeeping, lib/sends/upload-quota.ts; device counters,
 * lib/smtp/device-stats.ts). Prisma (lib/db.ts) stays the way the portal reads and writes everything else.
 *
 * Why not Prisma for these: bench:smtp's CPU profile of the relay had Prisma's client at 31% of the
 * process's time, plus 9% in its socket writes, for ~19 operations per message — more than the TLS,
 * SMTP parsing and byte copying together — and its per-query objects were most of the garbage the relay
 * promoted (a sampled heap profile: 500 of 800 MB over 600 messages). A plain parameterised query costs a
 * fraction of that. Unnamed statements only: `npm start`'s embedded PGlite runs every connection in one
 * backend session, where a named statement would collide (lib/rate-limit/store.ts).
 */
/**
 * A raw `pg` pool on the portal's database (this one, the upload store's and the rate limiter's): idle
 * connections close after 30 s and never keep the process alive, and an idle connection the server closed
 * (a restart, a failover, a dropped test database) is logged and dropped from the pool, not a crash.
 */
export function openPool(max: number, label: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: env().DATABASE_URL, max, idleTimeoutMillis: 30_000, allowExitOnIdle: true });
  pool.on("error", (err) => logError(label, err));
  return pool;
}

const g = globalThis as unknown as { __gmpRawPool?: pg.Pool };

export function rawPool(): pg.Pool {
  g.__gmpRawPool ??= openPool(6, "database connection (raw pool)");
  return g.__gmpRawPool;
}

/** One transaction on one connection: committed when `fn` resolves, rolled back when it throws. */
export async function rawTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await rawPool().connect();
  let broken: unknown = null;
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch((e: unknown) => {
      broken = e;
    });
    throw err;
  } finally {
    // A connection whose rollback failed is in an unknown state: it is closed, not reused.
    client.release(broken ? (broken as Error) : undefined);
  }
}
