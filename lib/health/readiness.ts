import "server-only";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { db } from "../db";
import { outboxWorker } from "../outbox/worker";
import { logError } from "../log";
import { env } from "../env";

/**
 * Readiness for load balancers and orchestrators (GET /api/health/ready): an instance takes traffic
 * only when its database answers, every migration in prisma/migrations is applied (none failed), and its
 * outbox worker is running and has polled recently (unless this instance runs none:
 * PORTAL_OUTBOX_WORKER_CONCURRENCY=0). Liveness (GET /api/health) asks only the database.
 */
export interface Check {
  ok: boolean;
  detail: string;
}
export interface Readiness {
  ready: boolean;
  checks: { database: Check; migrations: Check; worker: Check };
}

const within = <T>(ms: number, p: Promise<T>): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms).unref())]);

async function database(): Promise<Check> {
  try {
    await within(3_000, db().$queryRaw`select 1`);
    return { ok: true, detail: "reachable" };
  } catch (err) {
    // The cause (host names, driver text) goes to the server log, not to whoever asks this public endpoint.
    logError("readiness: database check failed", err);
    return { ok: false, detail: "unreachable (see the server log)" };
  }
}

export async function checkMigrations(dir = path.resolve("prisma/migrations")): Promise<Check> {
  try {
    const rows = await within(3_000, db().$queryRaw<{ migration_name: string; finished_at: Date | null; rolled_back_at: Date | null }[]>`
      SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations`);
    const failed = rows.filter((r) => !r.finished_at && !r.rolled_back_at).map((r) => r.migration_name);
    if (failed.length) return { ok: false, detail: `failed: ${failed.join(", ")} (see README, "Upgrading")` };
    const applied = new Set(rows.filter((r) => r.finished_at).map((r) => r.migration_name));
    const files = await readdir(dir, { withFileTypes: true }).catch(() => null);
    if (!files) return { ok: true, detail: `${applied.size} applied (migration files not found beside the server to compare)` };
    const pending = files.filter((f) => f.isDirectory() && !applied.has(f.name)).map((f) => f.name);
    if (pending.length) return { ok: false, detail: `not applied: ${pending.join(", ")} (run \`npx prisma migrate deploy\`)` };
    return { ok: true, detail: `${applied.size} applied, none pending` };
  } catch (err) {
    logError("readiness: migrations check failed", err);
    return { ok: false, detail: "could not read the migrations table (see the server log)" };
  }
}

function worker(now = Date.now()): Check {
  const w = outboxWorker();
  // PORTAL_OUTBOX_WORKER_CONCURRENCY=0: this instance only takes mail in; workers run elsewhere (README).
  if (!w && env().PORTAL_OUTBOX_WORKER_CONCURRENCY === 0) return { ok: true, detail: "off in this instance (PORTAL_OUTBOX_WORKER_CONCURRENCY=0)" };
  if (!w) return { ok: false, detail: "not started" };
  const h = w.health();
  if (!h.running) return { ok: false, detail: "stopped" };
  const staleAfter = Math.max(3 * h.pollMs, 30_000);
  if (!h.lastPollOkAt) return { ok: false, detail: "starting (no poll finished yet)" };
  const age = now - h.lastPollOkAt;
  if (age > staleAfter) return { ok: false, detail: `last successful poll ${Math.round(age / 1000)} s ago` };
  return { ok: true, detail: `running, ${h.inFlight} send(s) in hand, ${h.listening ? "listening for new sends" : "polling only (LISTEN unavailable)"}` };
}

export async function readiness(): Promise<Readiness> {
  const [d, m] = await Promise.all([database(), checkMigrations()]);
  const w = worker();
  return { ready: d.ok && m.ok && w.ok, checks: { database: d, migrations: m, worker: w } };
}
