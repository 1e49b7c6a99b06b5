/**
 * Delivery status beyond 202 (issue 16): the trace job joins Exchange message trace to each send and
 * recipient, through the real job (lib/delivery/trace-job.ts: advisory lock, budget, paging, Retry-After)
 * against the sandbox's messageTraces endpoint, with real MSAL, the Graph SDK and PostgreSQL. Uncertain
 * sends are resolved both ways: found in the trace → accepted; not found → offered to an admin as "safe to
 * send again" with the evidence, and re-queued only by that explicit, audited action.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
import type * as DbModule from "@/lib/db";
import type * as QueueSendModule from "@/lib/sends/queue-send";
import type * as ClaimModule from "@/lib/outbox/claim";
import type * as ProcessModule from "@/lib/outbox/process-send";
import type * as OptionsModule from "@/lib/outbox/options";
import type * as JobModule from "@/lib/delivery/trace-job";
import type * as ResendModule from "@/lib/delivery/resend-uncertain";
import type * as DetailsModule from "@/lib/delivery/delivery-events";
import type * as MessageViewModule from "@/lib/api-v1/message-view";

let env: PortalEnv;
let lib: {
  db: typeof DbModule.db;
  queueSend: typeof QueueSendModule.queueSend;
  claimSends: typeof ClaimModule.claimSends;
  processSend: typeof ProcessModule.processSend;
  outboxOptions: typeof OptionsModule.outboxOptions;
  runTraceForTenant: typeof JobModule.runTraceForTenant;
  traceOptions: typeof JobModule.traceOptions;
  resendUncertain: typeof ResendModule.resendUncertain;
  deliveryEvents: typeof DetailsModule.deliveryEvents;
  messageStatus: typeof MessageViewModule.messageStatus;
};
const person = (email: string, role: "admin" | "sender") => ({ id: "", name: email.split("@")[0]!, email, role, tenantId: null as string | null });
const admin = person("tr-admin@example.com", "admin");
const alice = person("tr-alice@example.com", "sender");
const carol = person("tr-carol@example.com", "sender");
const sleeps: number[] = [];

beforeAll(async () => {
  env = await startPortalEnv("trace", { senders: (e) => [e.mailboxes.shared, e.mailboxes.allowed] });
  lib = {
    db: (await import("@/lib/db")).db,
    queueSend: (await import("@/lib/sends/queue-send")).queueSend,
    claimSends: (await import("@/lib/outbox/claim")).claimSends,
    processSend: (await import("@/lib/outbox/process-send")).processSend,
    outboxOptions: (await import("@/lib/outbox/options")).outboxOptions,
    runTraceForTenant: (await import("@/lib/delivery/trace-job")).runTraceForTenant,
    traceOptions: (await import("@/lib/delivery/trace-job")).traceOptions,
    resendUncertain: (await import("@/lib/delivery/resend-uncertain")).resendUncertain,
    deliveryEvents: (await import("@/lib/delivery/delivery-events")).deliveryEvents,
    messageStatus: (await import("@/lib/api-v1/message-view")).messageStatus,
  };
  for (const p of [admin, alice, carol]) p.id = (await lib.db().user.create({ data: { email: p.email, name: p.name, role: p.role } })).id;
  const box = (a: string) => lib.db().senderMailbox.findFirstOrThrow({ where: { tenantId: env.tenantId, address: a } });
  for (const a of [env.sb.endpoints.mailboxes.shared, env.sb.endpoints.mailboxes.allowed]) await lib.db().senderGrant.create({ data: { mailboxId: (await box(a)).id, userId: alice.id } });
  await lib.db().tenant.update({ where: { id: env.tenantId }, data: { messageTrace: true } });
});

afterAll(async () => env?.close());

beforeEach(async () => {
  await env.sb.control("/message-trace", { reset: true });
  await env.sb.control("/faults", { rate: 0 });
  await lib.db().traceState.deleteMany({});
  await lib.db().send.deleteMany({});
  await lib.db().mailboxPace.deleteMany({});
  sleeps.length = 0;
});

const tag = () => randomBytes(3).toString("hex");
const opts = (over: Partial<Parameters<typeof lib.traceOptions>[0]> = {}) =>
  lib.traceOptions({ pageSize: 1000, graceMs: 0, maxWaitMs: 30_000, sleep: async (ms) => { sleeps.push(ms); await new Promise((r) => setTimeout(r, ms)); }, ...over });
const o = (timeoutMs = 20_000) => lib.outboxOptions({ leaseMs: 30_000, timeoutMs, maxTransientTries: 1, pace: { perMinute: 10_000, concurrent: 50, recipientsPerDay: 100_000 } });
async function drain(timeoutMs?: number) {
  for (;;) {
    const claims = await lib.claimSends("w-trace", { limit: 20, leaseMs: 30_000, pace: o().pace });
    if (!claims.length) return;
    await Promise.all(claims.map((c) => lib.processSend(c.id, c.lease, o(timeoutMs))));
  }
}
const queue = (subject: string, to: string[], from = env.sb.endpoints.mailboxes.shared) =>
  lib.queueSend({ actor: alice, tenantId: env.tenantId, mode: "app", from, to, subject, body: "<p>trace</p>" });
const deliveries = async (sendId: string) =>
  Object.fromEntries((await lib.db().sendDelivery.findMany({ where: { sendId } })).map((d) => [d.recipient, d.status]));

describe("trace joining", () => {
  it("joins per recipient: delivered, an unknown recipient failed, a quarantined one — over several pages of $top 2", async () => {
    const e = env.sb.endpoints;
    const t = tag();
    const held = `held-${t}@example.org`;
    const unknown = `nobody-${t}@${e.tenant.domain}`;
    await env.sb.control("/message-trace", { quarantine: [held] });
    const mixed = await queue(`mixed ${t}`, [e.mailboxes.allowed, unknown, held]);
    const plain: string[] = [];
    for (let i = 0; i < 4; i++) plain.push((await queue(`plain ${t} ${i}`, [e.mailboxes.allowed])).id);
    await drain();
    const r = await lib.runTraceForTenant(env.tenantId, opts({ pageSize: 2 }));
    expect(r).toMatchObject({ sends: 5, matched: 5 });
    expect(r!.requests).toBeGreaterThanOrEqual(4); // 7 trace rows at 2 a page
    expect(await deliveries(mixed.id)).toEqual({ [e.mailboxes.allowed.toLowerCase()]: "delivered", [unknown]: "failed", [held]: "quarantined" });
    const m = await lib.db().send.findUniqueOrThrow({ where: { id: mixed.id } });
    expect(m).toMatchObject({ status: "accepted", deliveryState: "failed", internetMessageId: expect.stringMatching(/^<.+>$/) });
    for (const id of plain) expect(await lib.db().send.findUniqueOrThrow({ where: { id } })).toMatchObject({ deliveryState: "delivered" });
    // Each send got its own message: no Message-ID given twice.
    const ids = (await lib.db().send.findMany({ select: { internetMessageId: true } })).map((s) => s.internetMessageId);
    expect(new Set(ids).size).toBe(5);
    // A final send is not asked about again.
    const again = await lib.runTraceForTenant(env.tenantId, opts());
    expect(again).toMatchObject({ sends: 0, requests: 0 });
    // The detail events, on demand, for the quarantined recipient.
    const ev = await lib.deliveryEvents(admin, mixed.id, held);
    expect(ev.events.map((x) => x.event)).toEqual(["Receive", "Quarantine"]);
    await expect(lib.deliveryEvents(admin, mixed.id, "someone-else@example.org")).rejects.toMatchObject({ status: 404 });
    // The sender who made it sees the events; another sender's view of the send is "not found".
    expect((await lib.deliveryEvents(alice, mixed.id, held)).status).toBe("quarantined");
    await expect(lib.deliveryEvents(carol, mixed.id, held)).rejects.toMatchObject({ status: 404 });
  });

  it("falls back to sender + recipient + time window: two sends to the same person with the same subject get one message each", async () => {
    const e = env.sb.endpoints;
    const t = tag();
    const a = await queue(`same ${t}`, [e.mailboxes.allowed]);
    await drain();
    await new Promise((r) => setTimeout(r, 1100));
    const b = await queue(`same ${t}`, [e.mailboxes.allowed]);
    await drain();
    // Another sender's message to the same person in the window is not taken for either.
    await queue(`same ${t}`, [e.mailboxes.allowed], e.mailboxes.allowed);
    await drain();
    await lib.runTraceForTenant(env.tenantId, opts());
    const [sa, sb2] = await Promise.all([a.id, b.id].map((id) => lib.db().send.findUniqueOrThrow({ where: { id } })));
    expect(sa!.internetMessageId).toBeTruthy();
    expect(sb2!.internetMessageId).toBeTruthy();
    expect(sa!.internetMessageId).not.toBe(sb2!.internetMessageId);
    const traced = (await env.sb.control<{ traces: number }>("/message-trace")).json.traces;
    expect(traced).toBeGreaterThanOrEqual(3);
    // The earlier send got the earlier message, the later one the later; the other sender's message is nobody's here.
    const copies = await env.sb.control<{ internetMessageId: string; receivedDateTime: string; from: { address: string } }[]>(`/messages?to=${encodeURIComponent(e.mailboxes.allowed)}&subject=${encodeURIComponent(`same ${t}`)}`);
    const ours = copies.json.filter((c) => c.from.address.toLowerCase() === e.mailboxes.shared.toLowerCase()).sort((x, y) => x.receivedDateTime.localeCompare(y.receivedDateTime));
    expect(ours.map((c) => c.internetMessageId)).toEqual([sa!.internetMessageId, sb2!.internetMessageId]);
  });

  it("GET /api/v1/messages/{id}'s view reports per-recipient delivery for a key's send", async () => {
    const e = env.sb.endpoints;
    const t = tag();
    const row = await lib.db().apiKey.create({ data: { tenantId: env.tenantId, name: `trace ${t}`, hash: `h-${t}-${Date.now()}`, displayPrefix: `gmp_${t}`, allowedSenders: [] } });
    const mailbox = await lib.db().senderMailbox.findFirstOrThrow({ where: { tenantId: env.tenantId, address: e.mailboxes.shared } });
    await lib.db().senderGrant.create({ data: { mailboxId: mailbox.id, apiKeyId: row.id } });
    const key = { id: row.id, name: row.name, displayPrefix: row.displayPrefix, tenantId: row.tenantId, ratePerMinute: row.ratePerMinute, allowedRecipientDomains: [], maxMessageBytes: null };
    const unknown = `ghost-${t}@${e.tenant.domain}`;
    const s = await lib.queueSend({ apiKey: key, tenantId: env.tenantId, mode: "api", from: e.mailboxes.shared, to: [e.mailboxes.allowed, unknown], subject: `api ${t}`, body: "<p>x</p>" });
    await drain();
    expect(await lib.messageStatus(key, s.id)).toMatchObject({ deliveryStatus: null, delivery: [] });
    await lib.runTraceForTenant(env.tenantId, opts());
    const view = await lib.messageStatus(key, s.id);
    expect(view.deliveryStatus).toBe("failed");
    expect(view.delivery.map((d) => [d.recipient, d.status]).sort()).toEqual([[e.mailboxes.allowed.toLowerCase(), "delivered"], [unknown, "failed"]].sort());
  });

  it("pending until the trace is final, then delivered", async () => {
    const e = env.sb.endpoints;
    await env.sb.control("/message-trace", { pendingSeconds: 600 });
    const s = await queue(`slow ${tag()}`, [e.mailboxes.allowed]);
    await drain();
    await lib.runTraceForTenant(env.tenantId, opts());
    expect(await lib.db().send.findUniqueOrThrow({ where: { id: s.id } })).toMatchObject({ deliveryState: "pending" });
    await env.sb.control("/message-trace", { pendingSeconds: 0 });
    await lib.runTraceForTenant(env.tenantId, opts());
    expect(await lib.db().send.findUniqueOrThrow({ where: { id: s.id } })).toMatchObject({ deliveryState: "delivered" });
  });

  it("honours a 429 from the trace endpoint: waits Retry-After, then finishes every page", async () => {
    const e = env.sb.endpoints;
    const t = tag();
    for (let i = 0; i < 3; i++) await queue(`throttled ${t} ${i}`, [e.mailboxes.allowed]);
    await drain();
    // 2 requests per 2 s at the sandbox: the third page is refused with 429 + Retry-After.
    await env.sb.control("/message-trace", { throttleLimit: 2, throttleWindowSeconds: 2 });
    const r = await lib.runTraceForTenant(env.tenantId, opts({ pageSize: 1 }));
    expect(r).toMatchObject({ sends: 3, matched: 3 });
    expect(r!.error).toBeUndefined();
    expect(sleeps.length).toBeGreaterThanOrEqual(1);
    expect(sleeps[0]).toBeGreaterThanOrEqual(1000);
    expect(sleeps[0]).toBeLessThanOrEqual(2000);
    const st = await lib.db().traceState.findUniqueOrThrow({ where: { tenantId: env.tenantId } });
    expect(st.blockedUntil).not.toBeNull();
    // A Retry-After longer than the run may wait ends the run with the reason; the next run goes on.
    await env.sb.control("/message-trace", { throttleLimit: 1, throttleWindowSeconds: 600 });
    await lib.db().send.updateMany({ data: { deliveryState: null, internetMessageId: null } });
    await lib.db().traceState.deleteMany({});
    const cut = await lib.runTraceForTenant(env.tenantId, opts({ pageSize: 1, maxWaitMs: 1000 }));
    expect(cut!.error).toMatch(/429/);
  });

  it("one runner per tenant: a second instance's run skips while the first holds the lock", async () => {
    const e = env.sb.endpoints;
    await queue(`locked ${tag()}`, [e.mailboxes.allowed]);
    await drain();
    await env.sb.control("/faults", { rate: 0, latencyMs: 400 });
    const [a, b] = await Promise.all([lib.runTraceForTenant(env.tenantId, opts()), new Promise((r) => setTimeout(r, 150)).then(() => lib.runTraceForTenant(env.tenantId, opts()))]);
    await env.sb.control("/faults", { rate: 0, latencyMs: 0 });
    expect([a === null, b === null].sort()).toEqual([false, true]);
  });

  it("a tenant whose app lacks ExchangeMessageTrace.Read.All: the run stops with the reason, sends stay untraced", async () => {
    const e = env.sb.endpoints;
    const s = await queue(`denied ${tag()}`, [e.mailboxes.allowed]);
    await drain();
    const grants = env.sb.ctx.store.appRoleGrants;
    const i = grants.findIndex((g) => g.appId === e.app.clientId && g.value === "ExchangeMessageTrace.Read.All");
    const [removed] = grants.splice(i, 1);
    const { appToken } = await import("@/lib/graph/tokens");
    const { loadTenantAccess } = await import("@/lib/graph/tenant-access");
    try {
      await appToken(await loadTenantAccess(env.tenantId), { skipCache: true }); // the cached token still carries the role
      const r = await lib.runTraceForTenant(env.tenantId, opts());
      expect(r!.error).toMatch(/ExchangeMessageTrace\.Read\.All/);
      expect(await lib.db().send.findUniqueOrThrow({ where: { id: s.id } })).toMatchObject({ deliveryState: null });
    } finally {
      grants.push(removed!);
      await appToken(await loadTenantAccess(env.tenantId), { skipCache: true });
    }
  });
});

describe("uncertain sends", () => {
  it("an uncertain send that was delivered is found in the trace and marked accepted + delivered, with the evidence", async () => {
    const e = env.sb.endpoints;
    // Microsoft delivers at once but answers after 3 s; the portal gives up after 1 s: uncertain.
    await env.sb.control("/faults", { rate: 0, responseDelayMs: 3000 });
    const s = await queue(`uncertain-found ${tag()}`, [e.mailboxes.allowed]);
    await drain(1000);
    await env.sb.control("/faults", { rate: 0, responseDelayMs: 0 });
    expect(await lib.db().send.findUniqueOrThrow({ where: { id: s.id } })).toMatchObject({ status: "uncertain" });
    const r = await lib.runTraceForTenant(env.tenantId, opts());
    expect(r).toMatchObject({ resolvedUncertain: 1 });
    const after = await lib.db().send.findUniqueOrThrow({ where: { id: s.id } });
    expect(after).toMatchObject({ status: "accepted", deliveryState: "delivered", traceEvidence: expect.objectContaining({ resolution: "found-in-trace" }) });
    expect(await lib.db().auditEvent.count({ where: { action: "send.uncertain-resolved", target: s.id } })).toBe(1);
    await expect(lib.resendUncertain(admin, s.id)).rejects.toMatchObject({ status: 409 });
  });

  it("an uncertain send that never arrived: evidence stored, safe to send again only by an admin, once, audited", async () => {
    const e = env.sb.endpoints;
    const subject = `uncertain-lost ${tag()}`;
    // The connection drops before the sandbox handles the request: nothing delivered, the portal cannot know.
    await env.sb.control("/faults", { rate: 1, statuses: [0], mailbox: e.mailboxes.shared });
    const s = await queue(subject, [e.mailboxes.allowed]);
    await drain();
    await env.sb.control("/faults", { rate: 0, mailbox: e.mailboxes.shared });
    expect(await lib.db().send.findUniqueOrThrow({ where: { id: s.id } })).toMatchObject({ status: "uncertain" });
    // Within the grace period nothing is concluded.
    await lib.runTraceForTenant(env.tenantId, opts({ graceMs: 3_600_000 }));
    expect((await lib.db().send.findUniqueOrThrow({ where: { id: s.id } })).traceEvidence).toBeNull();
    const r = await lib.runTraceForTenant(env.tenantId, opts());
    expect(r).toMatchObject({ notFoundUncertain: 1, resolvedUncertain: 0 });
    const ev = (await lib.db().send.findUniqueOrThrow({ where: { id: s.id } })).traceEvidence as Record<string, unknown>;
    expect(ev).toMatchObject({ resolution: "not-found", sender: e.mailboxes.shared.toLowerCase(), recipients: [e.mailboxes.allowed.toLowerCase()] });
    // Never resent by itself: no copy at the sandbox.
    expect((await env.sb.control<unknown[]>(`/messages?subject=${encodeURIComponent(subject)}`)).json).toHaveLength(0);
    await expect(lib.resendUncertain(alice, s.id)).rejects.toMatchObject({ status: 403 });
    const { newId } = await lib.resendUncertain(admin, s.id);
    await expect(lib.resendUncertain(admin, s.id)).rejects.toMatchObject({ status: 409 });
    await drain();
    expect(await lib.db().send.findUniqueOrThrow({ where: { id: newId } })).toMatchObject({ status: "accepted", subject });
    expect(await lib.db().send.findUniqueOrThrow({ where: { id: s.id } })).toMatchObject({ retriedAsId: newId, deadLetterResolution: "resent" });
    expect((await env.sb.control<unknown[]>(`/messages?subject=${encodeURIComponent(subject)}&folder=inbox`)).json).toHaveLength(1);
    expect(await lib.db().auditEvent.count({ where: { action: "send.uncertain-resent", target: s.id, actorId: admin.id } })).toBe(1);
  });
});
