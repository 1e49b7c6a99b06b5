import "server-only";
import client from "prom-client";
import { db } from "../db";

/**
 * Prometheus metrics (prom-client), served at /metrics (app/metrics/route.ts). Two kinds:
 * - counters and histograms of what THIS process did (Graph calls, finished sends, token failures),
 *   summed across instances by Prometheus (`sum by (…)`);
 * - gauges read from PostgreSQL when scraped (queue depth per tenant, credential days to expiry), the
 *   same from every instance: aggregate them with `max by (…)`, not `sum`.
 * One registry per process on globalThis: the outbox worker runs in the instrumentation bundle and the
 * route in another, and both must count into the same registry.
 */
export interface Metrics {
  registry: client.Registry;
  graphRequests: client.Histogram<"operation" | "outcome" | "mailbox">;
  graphThrottled: client.Counter<"mailbox">;
  sendsFinished: client.Counter<"outcome" | "mode">;
  tokenFailures: client.Counter<"tenant_id" | "code">;
}

function create(): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "gmp_" });
  const graphRequests = new client.Histogram({
    name: "gmp_graph_request_duration_seconds",
    help: "Graph calls made for sends, by operation (sendMail, createDraft, upload, send, …), outcome and sender mailbox.",
    labelNames: ["operation", "outcome", "mailbox"] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const graphThrottled = new client.Counter({
    name: "gmp_graph_throttled_total",
    help: "Graph answers 429 (throttled) to calls made for sends, by sender mailbox.",
    labelNames: ["mailbox"] as const,
    registers: [registry],
  });
  const sendsFinished = new client.Counter({
    name: "gmp_sends_finished_total",
    help: "Sends this process finished, by outcome (accepted, failed, uncertain, retry) and mode.",
    labelNames: ["outcome", "mode"] as const,
    registers: [registry],
  });
  const tokenFailures = new client.Counter({
    name: "gmp_token_failures_total",
    help: "Access tokens the outbox could not get, by tenant and error code (e.g. AADSTS7000222: the client secret expired).",
    labelNames: ["tenant_id", "code"] as const,
    registers: [registry],
  });
  new client.Gauge({
    name: "gmp_outbox_queue_depth",
    help: "Sends waiting or in flight, by tenant and status (read from the database when scraped).",
    labelNames: ["tenant_id", "tenant", "status"] as const,
    registers: [registry],
    async collect() {
      const rows = await db().$queryRaw<{ tenantId: string; name: string; status: string; n: bigint }[]>`
        SELECT s."tenantId", t.name, s.status::text AS status, count(*) AS n
        FROM "Send" s JOIN "Tenant" t ON t.id = s."tenantId"
        WHERE s.status IN ('queued', 'retrying', 'sending')
        GROUP BY s."tenantId", t.name, s.status`;
      this.reset();
      for (const r of rows) this.set({ tenant_id: r.tenantId, tenant: r.name, status: r.status }, Number(r.n));
    },
  });
  new client.Gauge({
    name: "gmp_sends_uncertain",
    help: "Sends handed to Microsoft without an answer (never resent automatically), by tenant.",
    labelNames: ["tenant_id"] as const,
    registers: [registry],
    async collect() {
      const rows = await db().send.groupBy({ by: ["tenantId"], where: { status: "uncertain", test: false }, _count: { _all: true } });
      this.reset();
      for (const r of rows) this.set({ tenant_id: r.tenantId }, r._count._all);
    },
  });
  new client.Gauge({
    name: "gmp_credential_days_to_expiry",
    help: "Days until a tenant's client secret or certificate expires (negative: expired).",
    labelNames: ["tenant_id", "tenant", "kind"] as const,
    registers: [registry],
    async collect() {
      const rows = await db().tenant.findMany({ where: { credentialExpires: { not: null } }, select: { id: true, name: true, credentialKind: true, credentialExpires: true } });
      this.reset();
      for (const t of rows) this.set({ tenant_id: t.id, tenant: t.name, kind: t.credentialKind }, (t.credentialExpires!.getTime() - Date.now()) / 86_400_000);
    },
  });
  return { registry, graphRequests, graphThrottled, sendsFinished, tokenFailures };
}

const g = globalThis as unknown as { __gmpMetrics?: Metrics };
export function metrics(): Metrics {
  return (g.__gmpMetrics ??= create());
}
