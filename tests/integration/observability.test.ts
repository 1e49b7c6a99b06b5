/**
 * Observability through the real outbox against the sandbox tenant: the Prometheus endpoint (app/metrics/route.ts)
 * reports the Graph calls, finished sends, queue depth and credential expiry of real sends; the JSON log ties a
 * request id to the send and the send to Microsoft's request-id / client-request-id; the REST API answers
 * with the request's id; secrets never reach the log.
 */
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
import type * as DbModule from "@/lib/db";
import type * as QueueSendModule from "@/lib/sends/queue-send";
import type * as ClaimModule from "@/lib/outbox/claim";
import type * as ProcessModule from "@/lib/outbox/process-send";
import type * as OptionsModule from "@/lib/outbox/options";
import type * as LogModule from "@/lib/log";
import type * as ContextModule from "@/lib/request-context";

const TOKEN = randomBytes(18).toString("base64url");
let env: PortalEnv;
const lines: Record<string, unknown>[] = [];
const actor = { id: "", name: "Ada", email: "ada@example.com", role: "admin" as const, tenantId: null as string | null };
let lib: {
  db: typeof DbModule.db;
  queueSend: typeof QueueSendModule.queueSend;
  claimSends: typeof ClaimModule.claimSends;
  processSend: typeof ProcessModule.processSend;
  outboxOptions: typeof OptionsModule.outboxOptions;
  log: typeof LogModule;
  runWithRequestId: typeof ContextModule.runWithRequestId;
  metricsGet: (req: NextRequest) => Promise<Response>;
};

beforeAll(async () => {
  process.env.PORTAL_METRICS_TOKEN = TOKEN;
  env = await startPortalEnv("observability", { senders: (e) => [e.mailboxes.shared, e.mailboxes.allowed] });
  const log = await import("@/lib/log");
  // Every line the portal logs from here on, as the JSON objects pino writes.
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  (globalThis as unknown as { __gmpLogger?: unknown }).__gmpLogger = log.createLogger(sink, "info");
  lib = {
    db: (await import("@/lib/db")).db,
    queueSend: (await import("@/lib/sends/queue-send")).queueSend,
    claimSends: (await import("@/lib/outbox/claim")).claimSends,
    processSend: (await import("@/lib/outbox/process-send")).processSend,
    outboxOptions: (await import("@/lib/outbox/options")).outboxOptions,
    log,
    runWithRequestId: (await import("@/lib/request-context")).runWithRequestId,
    metricsGet: (await import("@/app/metrics/route")).GET,
  };
  actor.id = (await lib.db().user.create({ data: { email: actor.email, name: actor.name, role: "admin" } })).id;
  for (const m of await lib.db().senderMailbox.findMany({ where: { tenantId: env.tenantId } })) await lib.db().senderGrant.create({ data: { mailboxId: m.id, userId: actor.id } });
  await lib.db().tenant.update({ where: { id: env.tenantId }, data: { credentialExpires: new Date(Date.now() + 10 * 86_400_000) } });
});

afterAll(async () => {
  delete process.env.PORTAL_METRICS_TOKEN;
  await env?.close();
});

async function scrape(authorization?: string): Promise<Response> {
  return lib.metricsGet(new NextRequest("http://localhost:3000/metrics", { headers: authorization ? { authorization } : {} }));
}

/** The value of one sample line, e.g. `gmp_sends_finished_total{outcome="accepted",mode="app"}`. */
function sample(text: string, name: string, labels: Record<string, string>): number | null {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf("}"));
    const got = Object.fromEntries([...body.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return null;
}

describe("/metrics", () => {
  it("refuses a scraper without the token, or with another one", async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape(`Bearer ${TOKEN}x`)).status).toBe(401);
    expect((await scrape(`Basic ${TOKEN}`)).status).toBe(401);
    const ok = await scrape(`Bearer ${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toContain("text/plain");
  });

  it("counts real sends: Graph calls by mailbox, finished sends, throttling, queue depth and credential expiry", async () => {
    const e = env.sb.endpoints;
    const before = await (await scrape(`Bearer ${TOKEN}`)).text();
    const finishedBefore = sample(before, "gmp_sends_finished_total", { outcome: "accepted", mode: "app" }) ?? 0;
    const callsBefore = sample(before, "gmp_graph_request_duration_seconds_count", { operation: "sendMail", outcome: "accepted", mailbox: e.mailboxes.shared.toLowerCase() }) ?? 0;

    for (let i = 0; i < 3; i++) await lib.queueSend({ actor, tenantId: env.tenantId, mode: "app", from: e.mailboxes.shared, to: e.mailboxes.allowed, subject: `metrics ${i}`, body: "<p>hi</p>" });
    // Queued, not yet claimed: the queue depth gauge (read from the database) shows them.
    const queued = await (await scrape(`Bearer ${TOKEN}`)).text();
    expect(sample(queued, "gmp_outbox_queue_depth", { tenant_id: env.tenantId, status: "queued" })).toBe(3);

    // Throttled answers for the mailbox first, then the three go out.
    const o = lib.outboxOptions({ leaseMs: 30_000, timeoutMs: 20_000 });
    const round = async () => {
      const claims = await lib.claimSends("w-metrics", { limit: 10, leaseMs: o.leaseMs, pace: o.pace });
      await Promise.all(claims.map((c) => lib.processSend(c.id, c.lease, o)));
      await lib.db().send.updateMany({ where: { status: "retrying" }, data: { nextAttemptAt: new Date(0) } });
    };
    await env.sb.control("/faults", { rate: 1, statuses: [429], retryAfterSeconds: 0, mailbox: e.mailboxes.shared });
    await round();
    await env.sb.control("/faults", { rate: 0, mailbox: e.mailboxes.shared });
    const throttled = await lib.db().sendAttempt.count({ where: { httpStatus: 429 } });
    expect(throttled).toBeGreaterThanOrEqual(3);
    for (let i = 0; i < 5 && (await lib.db().send.count({ where: { status: "accepted" } })) < 3; i++) await round();
    expect(await lib.db().send.count({ where: { status: "accepted" } })).toBe(3);

    const after = await (await scrape(`Bearer ${TOKEN}`)).text();
    expect(sample(after, "gmp_sends_finished_total", { outcome: "accepted", mode: "app" })).toBe(finishedBefore + 3);
    expect(sample(after, "gmp_graph_request_duration_seconds_count", { operation: "sendMail", outcome: "accepted", mailbox: e.mailboxes.shared.toLowerCase() })).toBe(callsBefore + 3);
    expect(sample(after, "gmp_graph_throttled_total", { mailbox: e.mailboxes.shared.toLowerCase() })).toBe(throttled);
    expect(sample(after, "gmp_outbox_queue_depth", { tenant_id: env.tenantId, status: "queued" })).toBeNull();
    const days = sample(after, "gmp_credential_days_to_expiry", { tenant_id: env.tenantId, kind: "secret" });
    expect(days).toBeGreaterThan(9.9);
    expect(days).toBeLessThan(10.01);
    // Process metrics come too (prom-client's defaults, with the portal's prefix).
    expect(after).toMatch(/^gmp_process_resident_memory_bytes \d+/m);
  });
});

describe("the JSON log", () => {
  it("ties the request that queued a send to the Graph call's request-id and client-request-id", async () => {
    const e = env.sb.endpoints;
    const requestId = `req-${randomBytes(6).toString("hex")}`;
    const s = await lib.runWithRequestId(requestId, () => lib.queueSend({ actor, tenantId: env.tenantId, mode: "app", from: e.mailboxes.shared, to: e.mailboxes.allowed, subject: "log line", body: "x" }));
    const o = lib.outboxOptions({ leaseMs: 30_000, timeoutMs: 20_000 });
    const claims = await lib.claimSends("w-log", { limit: 10, leaseMs: o.leaseMs, pace: o.pace, only: s.id });
    await Promise.all(claims.map((c) => lib.processSend(c.id, c.lease, o)));

    const queued = lines.find((l) => l.event === "send.queued" && l.sendId === s.id);
    expect(queued).toMatchObject({ level: "info", requestId, tenantId: env.tenantId, mode: "app" });
    const call = lines.find((l) => l.event === "graph.call" && l.sendId === s.id && l.operation === "sendMail");
    const attempt = await lib.db().sendAttempt.findFirstOrThrow({ where: { sendId: s.id, operation: "sendMail" } });
    expect(attempt.requestId).toBeTruthy();
    expect(call).toMatchObject({ httpStatus: 202, graphRequestId: attempt.requestId, clientRequestId: attempt.clientRequestId });
    expect(typeof call?.time).toBe("string");
  });

  it("never writes a secret, in the message, the error or a field", () => {
    const n = lines.length;
    lib.log.logError("token request failed: client_secret=S3cr3tValue~x", new Error("POST body client_assertion=eyJabc.def.ghi&x=1, header Bearer eyJtoken.part.sig"), { password: "hunter2-pass" } as never);
    const written = JSON.stringify(lines.slice(n));
    for (const secret of ["S3cr3tValue~x", "eyJabc.def.ghi", "eyJtoken.part.sig", "hunter2-pass"]) expect(written).not.toContain(secret);
    expect(lines[n]).toMatchObject({ level: "error", error: { type: "Error" } });
  });
});

describe("REST API request ids", () => {
  it("answers with X-Request-Id, keeping a load balancer's id and replacing one that could forge log lines", async () => {
    const { GET } = await import("@/app/api/v1/messages/[id]/route");
    const call = (headers: Record<string, string>) => GET(new NextRequest("http://localhost:3000/api/v1/messages/abc", { headers }), { params: Promise.resolve({ id: "abc" }) });
    const kept = await call({ "x-request-id": "lb-0123456789abcdef" });
    expect(kept.status).toBe(401);
    expect(kept.headers.get("x-request-id")).toBe("lb-0123456789abcdef");
    const forged = await call({ "x-request-id": "evil\" level=\"error" });
    expect(forged.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});
