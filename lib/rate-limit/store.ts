import "server-only";
import type pg from "pg";
import { openPool } from "../raw-db";

/**
 * Where the rate-limit counters live: rate-limiter-flexible's PostgreSQL table, created by migration
 * 20261203110000_session_version in its own schema, so every portal instance on one database shares the
 * same counts (and `npm start`'s embedded PGlite, which speaks the same wire protocol, works too).
 */
export const RATE_LIMIT_SCHEMA = "rate_limit";
export const RATE_LIMIT_TABLE = "counters";

/** What RateLimiterPostgres calls on a `storeType: "pool"` client. */
export interface StoreClient {
  query(q: { text: string; values?: unknown[]; name?: string }): Promise<pg.QueryResult>;
}

/**
 * The library names its prepared statements. PGlite's socket server runs every connection in one backend
 * session, so a second connection preparing the same name fails with "prepared statement … already
 * exists". Unnamed statements work on both PGlite and PostgreSQL, at the cost of a parse per query.
 */
export function storeClient(pool: () => Pick<pg.Pool, "query">): StoreClient {
  return { query: ({ text, values }) => pool().query(text, values) };
}

const g = globalThis as unknown as { __gmpRateLimitPool?: pg.Pool };

/** A small pool of its own (Prisma's is not reachable as a pg client), opened on first use. */
export function rateLimitPool(): pg.Pool {
  g.__gmpRateLimitPool ??= openPool(3, "rate-limit database connection");
  return g.__gmpRateLimitPool;
}

/** Closes the pool (tests, shutdown); the next use opens a new one. */
export async function closeRateLimitPool(): Promise<void> {
  const pool = g.__gmpRateLimitPool;
  g.__gmpRateLimitPool = undefined;
  await pool?.end();
}
