/**
 * Message trace (GET /admin/exchange/tracing/messageTraces, getDetailsByRecipient) through the REAL Graph
 * SDK: statuses from the sandbox's own delivery, the quarantine / spam fault, $filter, $top paging with
 * @odata.nextLink, the 10-day and 90-day rules, the permission check and throttling (429 + Retry-After).
 */
import { Client, type GraphError, RetryHandlerOptions } from "@microsoft/microsoft-graph-client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestSandbox, type TestSandbox } from "./support";

let sb: TestSandbox;
let app: Client;
const client = (token: string) =>
  Client.initWithMiddleware({ baseUrl: sb.endpoints.graphUrl, customHosts: new Set(["localhost"]), authProvider: { getAccessToken: async () => token } });
const noRetry = () => [new RetryHandlerOptions(0, 0)];
const BASE = "/admin/exchange/tracing/messageTraces";
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

interface Trace { id: string; messageId: string; senderAddress: string; recipientAddress: string; status: string; subject: string; receivedDateTime: string }

beforeAll(async () => {
  sb = await startTestSandbox();
  app = client(await sb.appTokenFor());
});
afterAll(async () => sb?.close());
beforeEach(async () => {
  await sb.control("/reset");
});

async function send(subject: string, to: string[]) {
  await app.api(`/users/${sb.endpoints.mailboxes.shared}/sendMail`).post({
    message: { subject, body: { contentType: "Text", content: "hi" }, toRecipients: to.map((address) => ({ emailAddress: { address } })) },
    saveToSentItems: false,
  });
}

const window = () => `receivedDateTime ge ${iso(sb.ctx.clock.now() - 3_600_000)} and receivedDateTime le ${iso(sb.ctx.clock.now())}`;

describe("message trace", () => {
  it("reports delivered, failed (unknown recipient) and quarantined per recipient, with detail events", async () => {
    const d = sb.endpoints.tenant.domain;
    const held = `held-${Date.now()}@example.org`;
    expect((await sb.control("/message-trace", { quarantine: [held] })).status).toBe(200);
    await send("Trace one", [sb.endpoints.mailboxes.allowed, `nobody-here@${d}`, held]);
    const r = (await app.api(BASE).filter(`${window()} and subject eq 'Trace one'`).get().catch(() => null)) as null;
    expect(r).toBeNull(); // subject takes contains/startsWith/endsWith only (never eq); the sandbox serves none of them
    const all = (await app.api(BASE).filter(`${window()} and senderAddress eq '${sb.endpoints.mailboxes.shared}'`).get()) as { value: Trace[] };
    const byRecipient = Object.fromEntries(all.value.map((t) => [t.recipientAddress.toLowerCase(), t.status]));
    expect(byRecipient).toEqual({ [sb.endpoints.mailboxes.allowed.toLowerCase()]: "delivered", [`nobody-here@${d}`.toLowerCase()]: "failed", [held]: "quarantined" });
    expect(new Set(all.value.map((t) => t.id)).size).toBe(1); // one trace id per message
    expect(all.value[0]!.messageId).toMatch(/^<.+@.+>$/);
    // The quarantined recipient got no copy; the delivered one did.
    expect((await sb.control<unknown[]>(`/messages?to=${encodeURIComponent(held)}`)).json).toHaveLength(0);
    const q = all.value.find((t) => t.recipientAddress === held)!;
    const ev = (await app.api(`${BASE}/${q.id}/getDetailsByRecipient(recipientAddress='${held}')`).get()) as { value: { event: string; messageId: string }[] };
    expect(ev.value.map((e) => e.event)).toEqual(["Receive", "Quarantine"]);
    expect(ev.value[0]!.messageId).toBe(q.messageId);
    const ok = all.value.find((t) => t.status === "delivered")!;
    const ev2 = (await app.api(`${BASE}/${ok.id}/getDetailsByRecipient(recipientAddress='${ok.recipientAddress}')`).get()) as { value: { event: string }[] };
    expect(ev2.value.map((e) => e.event)).toEqual(["Receive", "Deliver"]);
    // Filters on status and messageId.
    const failed = (await app.api(BASE).filter(`${window()} and status eq 'failed'`).get()) as { value: Trace[] };
    expect(failed.value.map((t) => t.recipientAddress)).toEqual([`nobody-here@${d}`]);
    const byId = (await app.api(BASE).filter(`${window()} and messageId eq '${ok.messageId}'`).get()) as { value: Trace[] };
    expect(byId.value).toHaveLength(3);
  });

  it("pages with $top and @odata.nextLink, newest first, every row once", async () => {
    for (let i = 0; i < 5; i++) await send(`Paged ${i}`, [sb.endpoints.mailboxes.allowed]);
    const seen: string[] = [];
    let page = (await app.api(BASE).filter(window()).top(2).get()) as { value: Trace[]; "@odata.nextLink"?: string };
    let pages = 1;
    seen.push(...page.value.map((t) => t.subject));
    while (page["@odata.nextLink"]) {
      page = (await app.api(page["@odata.nextLink"]).get()) as typeof page;
      seen.push(...page.value.map((t) => t.subject));
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(["Paged 4", "Paged 3", "Paged 2", "Paged 1", "Paged 0"]);
    const bad = (await app.api(BASE).top(5001).middlewareOptions(noRetry()).get().catch((e) => e)) as GraphError;
    expect(bad.statusCode).toBe(400);
  });

  it("refuses a window over 10 days, a start older than 90 days and a one-sided bound", async () => {
    const now = sb.ctx.clock.now();
    const q = (f: string) => app.api(BASE).filter(f).middlewareOptions(noRetry()).get().catch((e: GraphError) => e.statusCode);
    expect(await q(`receivedDateTime ge ${iso(now - 11 * 86_400_000)} and receivedDateTime le ${iso(now)}`)).toBe(400);
    expect(await q(`receivedDateTime ge ${iso(now - 95 * 86_400_000)} and receivedDateTime le ${iso(now - 91 * 86_400_000)}`)).toBe(400);
    expect(await q(`receivedDateTime ge ${iso(now - 86_400_000)}`)).toBe(400);
    expect(await q(`receivedDateTime ge ${iso(now - 86_400_000)} and receivedDateTime le ${iso(now + 86_400_000)}`)).toBe(400);
    expect(await q(`receivedDateTime ge ${iso(now - 10 * 86_400_000)} and receivedDateTime le ${iso(now)}`)).toEqual(expect.objectContaining({ value: [] }));
  });

  it("needs ExchangeMessageTrace.Read.All and throttles at the configured rate with Retry-After", async () => {
    const seeded = await sb.control<{ apps: { appId: string; secrets: { secretText: string }[] }[] }>("/seed", { apps: [{ displayName: "No trace", applicationPermissions: ["Mail.Send"] }] });
    const other = seeded.json.apps[0]!;
    const noTrace = client(await sb.appTokenFor({ clientId: other.appId, secret: other.secrets[0]!.secretText }));
    const denied = (await noTrace.api(BASE).middlewareOptions(noRetry()).get().catch((e) => e)) as GraphError;
    expect([denied.statusCode, denied.code]).toEqual([403, "Authorization_RequestDenied"]);

    await sb.control("/message-trace", { throttleLimit: 3, throttleWindowSeconds: 60 });
    for (let i = 0; i < 3; i++) await app.api(BASE).middlewareOptions(noRetry()).get();
    const t = (await app.api(BASE).middlewareOptions(noRetry()).get().catch((e) => e)) as GraphError;
    expect(t.statusCode).toBe(429);
    const wait = Number(t.headers?.get("retry-after"));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    await sb.control("/clock", { advanceSeconds: wait });
    await expect(app.api(BASE).middlewareOptions(noRetry()).get()).resolves.toBeTruthy();
    // The documented default is 100 per 5 minutes.
    await sb.control("/message-trace", { reset: true });
    expect((await sb.control<{ throttleLimit: number; throttleWindowSeconds: number }>("/message-trace")).json).toMatchObject({ throttleLimit: 100, throttleWindowSeconds: 300 });
    expect((await sb.control("/message-trace", { throttleLimit: 0, quarantine: ["not-an-address"] })).status).toBe(400);
  });

  it("shows a new row as pending until pendingSeconds pass", async () => {
    await sb.control("/message-trace", { pendingSeconds: 120 });
    await send("Later", [sb.endpoints.mailboxes.allowed]);
    const first = (await app.api(BASE).filter(window()).get()) as { value: Trace[] };
    expect(first.value[0]!.status).toBe("pending");
    await sb.control("/clock", { advanceSeconds: 121 });
    const w = `receivedDateTime ge ${iso(sb.ctx.clock.now() - 3_600_000)} and receivedDateTime le ${iso(sb.ctx.clock.now())}`;
    const second = (await app.api(BASE).filter(w).get()) as { value: Trace[] };
    expect(second.value[0]!.status).toBe("delivered");
  });
});
