import "server-only";
import { createHash } from "node:crypto";
import pg from "pg";
import { env } from "../env";
import { logWarn } from "../log";

/**
 * The advisory-lock key of a job: the first 48 bits of SHA-256("gmp-job:" + name), a whole number that
 * PostgreSQL takes as bigint and JavaScript holds exactly (tests and operators can hold a job's lock with
 * `SELECT pg_advisory_lock(<key>)` to see the job skip).
 */
export function jobLockKey(job: string): number {
  return createHash("sha256").update(`gmp-job:${job}`).digest().readUIntBE(0, 6);
}

const g = globalThis as unknown as { __gmpJobsRunning?: Set<string> };

/**
 * Runs a job that one portal instance at a time should run (retention purge, idempotency purge, credential
 * expiry mail, message trace per tenant, …) when several instances share one PostgreSQL. The run holds a
 * session-level advisory lock (pg_try_advisory_lock,
 * https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADVISORY-LOCKS) keyed by the job's
 * name, on a connection of its own: another instance that tries meanwhile skips its turn instead of waiting,
 * the lock is released after the run (even one that threw), and PostgreSQL releases it when the holding
 * instance dies and its connection closes. No transaction stays open during the run, so a long job holds no
 * transaction timeout, and the embedded PGlite (every connection in one backend, where advisory locks are
 * re-entrant) keeps working: there, the in-process set of running jobs is what keeps a second run out.
 * The job does its work through db() as usual. Returns null when another run held the job.
 */
export async function runAlone<T>(job: string, fn: () => Promise<T>): Promise<T | null> {
  const running = (g.__gmpJobsRunning ??= new Set<string>());
  if (running.has(job)) return null;
  running.add(job);
  const key = jobLockKey(job);
  const conn = new pg.Client({ connectionString: env().DATABASE_URL });
  // A dropped connection also drops the lock; the run goes on (its work is idempotent by design), and the
  // error must not crash the process as an unhandled 'error' event would.
  conn.on("error", (err) => logWarn(`job ${job}: the lock connection failed`, { error: err.message }));
  try {
    await conn.connect();
    const { rows } = await conn.query<{ got: boolean }>("SELECT pg_try_advisory_lock($1::bigint) AS got", [key]);
    if (!rows[0]?.got) return null;
    try {
      return await fn();
    } finally {
      await conn.query("SELECT pg_advisory_unlock($1::bigint)", [key]).catch(() => undefined);
    }
  } finally {
    running.delete(job);
    await conn.end().catch(() => undefined);
  }
}
