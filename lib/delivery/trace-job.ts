import "server-only";
import { db } from "../db";
import { env } from "../env";
import { runAlone } from "../jobs/single-runner";
import { logError, logInfo } from "../log";
import { pollTenant, type PollOptions, type PollResult } from "./poll-tenant";

const g = globalThis as unknown as { __gmpTraceTimer?: NodeJS.Timeout; __gmpTraceBusy?: boolean };

export function traceOptions(over: Partial<PollOptions> = {}): PollOptions {
  const e = env();
  return {
    lookbackMs: e.PORTAL_TRACE_LOOKBACK_HOURS * 3_600_000,
    graceMs: 30 * 60_000,
    pageSize: 1000,
    maxWaitMs: 60_000,
    ...over,
  };
}

/**
 * Runs the trace join for one tenant if no other instance is doing so: the single-runner job
 * "message-trace:<tenant id>" (lib/jobs/single-runner.ts, a session-level advisory lock held for the run and
 * released after it, or by PostgreSQL when the instance dies). Across every portal instance on the database
 * one runner per tenant asks Microsoft, within the shared budget (budget.ts). Returns null when another
 * run holds the tenant.
 */
export async function runTraceForTenant(tenantId: string, o: PollOptions): Promise<PollResult | null> {
  return runAlone(`message-trace:${tenantId}`, () => pollTenant(tenantId, o));
}

async function runOnce(): Promise<void> {
  if (g.__gmpTraceBusy) return;
  g.__gmpTraceBusy = true;
  try {
    const tenants = await db().tenant.findMany({ where: { messageTrace: true, useApplication: true, clientId: { not: null } }, select: { id: true, name: true } });
    for (const t of tenants) {
      try {
        const r = await runTraceForTenant(t.id, traceOptions());
        if (r && (r.matched || r.resolvedUncertain || r.notFoundUncertain)) logInfo(`message trace ${t.name}: ${r.matched}/${r.sends} send(s) joined, ${r.resolvedUncertain} uncertain resolved, ${r.notFoundUncertain} not found`);
        if (r?.error) logInfo(`message trace ${t.name}: ${r.error}`);
      } catch (err) {
        logError(`message trace for tenant ${t.name} failed`, err);
      }
    }
  } finally {
    g.__gmpTraceBusy = false;
  }
}

/** The trace job: every PORTAL_TRACE_INTERVAL_SECONDS in every instance; the per-tenant lock keeps one runner. */
export function startTraceJob(): void {
  if (g.__gmpTraceTimer) return;
  const every = env().PORTAL_TRACE_INTERVAL_SECONDS * 1000;
  if (every <= 0) return;
  setTimeout(() => void runOnce(), Math.min(every, 20_000)).unref();
  g.__gmpTraceTimer = setInterval(() => void runOnce(), every);
  g.__gmpTraceTimer.unref();
}
