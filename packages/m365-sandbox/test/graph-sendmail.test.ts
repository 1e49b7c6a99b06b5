/**
 * sendMail through the REAL Graph SDK against the sandbox: delivery, every error case as a
 * GraphError with the right statusCode/code, request ids, fault injection retried by the SDK's
 * RetryHandler, and per-mailbox throttling (4 concurrent, 30/min on the sandbox clock).
 */
import { createHash } from "node:crypto";
import { Client, GraphError, RetryHandlerOptions } from "@microsoft/microsoft-graph-client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestSandbox, type DeliveredJson, type TestSandbox } from "./support";

let sb: TestSandbox;
let token: string;

function graph(t: string | (() => Promise<string>) = () => Promise.resolve(token)): Client {
  return Client.initWithMiddleware({
    baseUrl: sb.endpoints.graphUrl,
    defaultVersion: "v1.0",
    customHosts: new Set(["localhost"]),
    authProvider: { getAccessToken: async () => (typeof t === "string" ? t : t()) },
  });
}

const noRetry = () => [new RetryHandlerOptions(0, 0)];

function mail(to: string[], extra: Record<string, unknown> = {}) {
  return {
    message: {
      subject: "Welcome to Contoso",
      body: { contentType: "HTML", content: "<p>Hello <b>there</b></p>" },
      toRecipients: to.map((address) => ({ emailAddress: { address } })),
      ...extra,
    },
    saveToSentItems: true,
  };
}

async function graphError(p: Promise<unknown>): Promise<GraphError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof GraphError) return e;
    throw e;
  }
  throw new Error("expected a GraphError");
}

async function delivered(q: string): Promise<DeliveredJson[]> {
  const r = await sb.control<DeliveredJson[]>(`/messages?${q}`);
  expect(r.status).toBe(200);
  return r.json;
}

beforeAll(async () => {
  sb = await startTestSandbox();
  token = await sb.appTokenFor();
});
afterAll(async () => {
  await sb?.close();
});
beforeEach(async () => {
  await sb.control("/reset");
});

describe("sendMail (app-only)", () => {
  it("answers 202 with no body and delivers one copy per recipient mailbox", async () => {
    const { shared } = sb.endpoints.mailboxes;
    const d = sb.endpoints.tenant.domain;
    const res = await graph()
      .api(`/users/${shared}/sendMail`)
      .responseType("raw" as never)
      .post(
        mail([`isaiah.langer@${d}`], {
          ccRecipients: [{ emailAddress: { address: `lee.gu@${d}` } }, { emailAddress: { address: `nestor.wilke@${d}` } }],
          bccRecipients: [{ emailAddress: { address: "auditor@example.org" } }],
          internetMessageHeaders: [{ name: "x-welcome-batch", value: "2026-w1" }],
          attachments: [{ "@odata.type": "#microsoft.graph.fileAttachment", name: "handbook.txt", contentType: "text/plain", contentBytes: Buffer.from("Welcome!").toString("base64") }],
        }),
      );
    expect(res.status).toBe(202);
    expect(res.headers.get("content-type")).toBeNull();
    expect(await res.text()).toBe("");
    expect(res.headers.get("request-id")).toMatch(/^[0-9a-f-]{36}$/);

    const inbox = await delivered(`to=isaiah.langer@${d}`);
    expect(inbox).toHaveLength(1);
    const m = inbox[0]!;
    expect(m.from.address).toBe(shared);
    expect(m.subject).toBe("Welcome to Contoso");
    expect(m.body).toEqual({ contentType: "html", content: "<p>Hello <b>there</b></p>" });
    expect(m.cc.map((a) => a.address)).toEqual([`lee.gu@${d}`, `nestor.wilke@${d}`]);
    expect(m.bcc).toEqual([]);
    expect(m.internetMessageHeaders).toEqual([{ name: "x-welcome-batch", value: "2026-w1" }]);
    expect(m.attachments[0]).toMatchObject({ name: "handbook.txt", size: 8, contentType: "text/plain" });
    expect(m.attachments[0]!.sha256).toBe(createHash("sha256").update("Welcome!").digest("hex"));
    const dl = await fetch(m.attachments[0]!.downloadUrl);
    expect(dl.headers.get("content-type")).toBe("application/octet-stream");
    expect(await dl.text()).toBe("Welcome!");
    const cc = await delivered(`to=lee.gu@${d}`);
    expect(cc).toHaveLength(1);
    expect(cc[0]!.bcc).toEqual([]);
    const bcc = await delivered("to=auditor@example.org");
    expect(bcc).toHaveLength(1);
    expect(bcc[0]!.bcc.map((a) => a.address)).toEqual(["auditor@example.org"]);
    const sent = await delivered(`to=${shared}&folder=sentitems`);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.folder).toBe("SentItems");
    expect(sent[0]!.bcc.map((a) => a.address)).toEqual(["auditor@example.org"]);
  });
});

describe("sendMail errors surface as GraphError", () => {
  const d = () => sb.endpoints.tenant.domain;
  const send = (from: string, body: unknown, client = graph()) => client.api(`/users/${from}/sendMail`).middlewareOptions(noRetry()).post(body);

  it("401 InvalidAuthenticationToken for a bad or expired token, with the envelope and ids", async () => {
    const bad = await graphError(graph("not-a-jwt").api(`/users/${sb.endpoints.mailboxes.shared}/sendMail`).header("client-request-id", "my-req-1").post(mail([`lee.gu@${d()}`])));
    expect(bad.statusCode).toBe(401);
    expect(bad.code).toBe("InvalidAuthenticationToken");
    expect(bad.headers?.get("client-request-id")).toBe("my-req-1");
    const inner = JSON.parse(bad.body as string).innerError; // GraphError.body is the envelope's "error" object
    expect(inner["client-request-id"]).toBe("my-req-1");
    expect(inner["request-id"]).toBe(bad.headers?.get("request-id"));
    expect(inner.date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);

    await sb.control("/clock", { advanceSeconds: 3600 });
    const expired = await graphError(send(sb.endpoints.mailboxes.shared, mail([`lee.gu@${d()}`])));
    expect(expired.statusCode).toBe(401);
    expect(expired.message).toBe("Access token has expired or is not yet valid.");
  });

  it("403 ErrorAccessDenied when the app holds no Mail.Send", async () => {
    sb.ctx.store.appRoleGrants = sb.ctx.store.appRoleGrants.filter((g) => g.value !== "Mail.Send");
    const t = await sb.appTokenFor();
    const e = await graphError(send(sb.endpoints.mailboxes.shared, mail([`lee.gu@${d()}`]), graph(t)));
    expect([e.statusCode, e.code, e.message]).toEqual([403, "ErrorAccessDenied", "Access is denied. Check credentials and try again."]);
  });

  it("403 'Access to OData is disabled' for a mailbox outside the access policy", async () => {
    const e = await graphError(send(sb.endpoints.mailboxes.outsidePolicy, mail([`lee.gu@${d()}`])));
    expect([e.statusCode, e.code]).toEqual([403, "ErrorAccessDenied"]);
    expect(e.message).toMatch(/^Access to OData is disabled/);
    expect(await delivered(`to=lee.gu@${d()}`)).toHaveLength(0);
  });

  it("404 ErrorInvalidUser for an unknown sender, 400 BadRequest for /me with an app token", async () => {
    const e = await graphError(send(`nobody@${d()}`, mail([`lee.gu@${d()}`])));
    expect([e.statusCode, e.code, e.message]).toEqual([404, "ErrorInvalidUser", `The requested user 'nobody@${d()}' is invalid.`]);
    const me = await graphError(graph().api("/me/sendMail").middlewareOptions(noRetry()).post(mail([`lee.gu@${d()}`])));
    expect([me.statusCode, me.code, me.message]).toEqual([400, "BadRequest", "/me request is only valid with delegated authentication flow."]);
  });

  it("404 MailboxNotEnabledForRESTAPI for a mailbox that is not REST-enabled", async () => {
    const mb = [...sb.ctx.store.mailboxes.values()].find((m) => m.primarySmtpAddress === sb.endpoints.mailboxes.allowed)!;
    mb.restEnabled = false;
    const e = await graphError(send(sb.endpoints.mailboxes.allowed, mail([`lee.gu@${d()}`])));
    expect([e.statusCode, e.code]).toEqual([404, "MailboxNotEnabledForRESTAPI"]);
  });

  it("400 for invalid recipients, too many recipients, none at all, and bad headers", async () => {
    const from = sb.endpoints.mailboxes.shared;
    const cases: [unknown, string][] = [
      [mail(["not-an-address"]), "ErrorInvalidRecipients"],
      [mail([`a@${d()}; b@${d()}`]), "ErrorInvalidRecipients"],
      [mail(Array.from({ length: 501 }, (_, i) => `r${i}@example.org`)), "ErrorInvalidRecipients"],
      [mail([]), "ErrorInvalidRecipients"],
      [mail([`lee.gu@${d()}`], { internetMessageHeaders: [{ name: "Campaign", value: "1" }] }), "InvalidInternetMessageHeader"],
      [mail([`lee.gu@${d()}`], { internetMessageHeaders: Array.from({ length: 6 }, (_, i) => ({ name: `x-h${i}`, value: "v" })) }), "InvalidInternetMessageHeaderCollection"],
    ];
    for (const [body, code] of cases) {
      const e = await graphError(send(from, body));
      expect([e.statusCode, e.code]).toEqual([400, code]);
    }
    expect(await delivered("folder=all")).toHaveLength(0);
  });

  it("400 'Maximum request length exceeded.' for a request over 4 MB and 400 ErrorMessageSizeExceeded over the mailbox limit", async () => {
    const from = sb.endpoints.mailboxes.shared;
    const big = (n: number) => [{ "@odata.type": "#microsoft.graph.fileAttachment", name: "big.bin", contentBytes: Buffer.alloc(n, 7).toString("base64") }];
    const tooLong = await graphError(send(from, mail([`lee.gu@${d()}`], { attachments: big(3_500_000) })));
    expect([tooLong.statusCode, tooLong.code, tooLong.message]).toEqual([400, "BadRequest", "Maximum request length exceeded."]);
    const mb = [...sb.ctx.store.mailboxes.values()].find((m) => m.primarySmtpAddress === from)!;
    mb.maxSendSize = 1024 * 1024;
    const tooBig = await graphError(send(from, mail([`lee.gu@${d()}`], { attachments: big(1_500_000) })));
    expect([tooBig.statusCode, tooBig.code]).toEqual([400, "ErrorMessageSizeExceeded"]);
  });

  it("403 ErrorSendAsDenied when from names another mailbox", async () => {
    const e = await graphError(send(sb.endpoints.mailboxes.shared, mail([`lee.gu@${d()}`], { from: { emailAddress: { address: `megan.bowen@${d()}` } } })));
    expect([e.statusCode, e.code]).toEqual([403, "ErrorSendAsDenied"]);
  });
});

describe("faults and throttling", () => {
  const d = () => sb.endpoints.tenant.domain;

  it("a 429 with Retry-After is retried by the SDK's RetryHandler and then succeeds", async () => {
    sb.ctx.faults = { rate: 1, statuses: [429], retryAfterSeconds: 1, latencyMs: 0 };
    const seen: { status: number; retryAfter: string | null }[] = [];
    const opts = new RetryHandlerOptions(1, 3, (_delay, _attempt, _req, _o, res) => {
      seen.push({ status: res.status, retryAfter: res.headers.get("retry-after") });
      sb.ctx.faults = { rate: 0, statuses: [429, 503], retryAfterSeconds: 1, latencyMs: 0 };
      return true;
    });
    const started = Date.now();
    await graph().api(`/users/${sb.endpoints.mailboxes.shared}/sendMail`).middlewareOptions([opts]).post(mail([`lee.gu@${d()}`]));
    expect(seen).toEqual([{ status: 429, retryAfter: "1" }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(await delivered(`to=lee.gu@${d()}`)).toHaveLength(1);
  });

  it("injects 503 serviceNotAvailable and dropped connections", async () => {
    sb.ctx.faults = { rate: 1, statuses: [503], retryAfterSeconds: 2, latencyMs: 0 };
    const e = await graphError(graph().api(`/users/${sb.endpoints.mailboxes.shared}/sendMail`).middlewareOptions(noRetry()).post(mail([`lee.gu@${d()}`])));
    expect([e.statusCode, e.code, e.headers?.get("retry-after")]).toEqual([503, "serviceNotAvailable", "2"]);
    sb.ctx.faults = { rate: 1, statuses: [0], retryAfterSeconds: 1, latencyMs: 0 };
    await expect(graph().api(`/users/${sb.endpoints.mailboxes.shared}/sendMail`).middlewareOptions(noRetry()).post(mail([`lee.gu@${d()}`]))).rejects.toThrow();
    sb.ctx.faults = { rate: 0, statuses: [429, 503], retryAfterSeconds: 1, latencyMs: 0 };
    expect(await delivered(`to=lee.gu@${d()}`)).toHaveLength(0);
  });

  it("a fault scoped to a mailbox or an app touches only that mailbox's or app's requests", async () => {
    const { shared, allowed } = sb.endpoints.mailboxes;
    const send = (from: string, t?: string) => graph(t).api(`/users/${from}/sendMail`).middlewareOptions(noRetry()).post(mail([`lee.gu@${d()}`]));
    const status = (p: Promise<unknown>) => p.then(() => 202, (e: GraphError) => e.statusCode);
    // Scoped to the shared mailbox (by address, any case): only its sends fail.
    expect((await sb.control("/faults", { rate: 1, statuses: [429], retryAfterSeconds: 3, mailbox: shared.toUpperCase() })).status).toBe(200);
    const e = await graphError(send(shared));
    expect([e.statusCode, e.code, e.headers?.get("retry-after")]).toEqual([429, "ApplicationThrottled", "3"]);
    expect(await status(send(allowed))).toBe(202);
    expect((await sb.control<{ faults: { rate: number }; scoped: unknown[] }>("/faults")).json).toMatchObject({ faults: { rate: 0 }, scoped: [{ mailbox: shared.toLowerCase(), config: { rate: 1, statuses: [429] } }] });
    // Scoped to another app: the demo app is not touched. Scoped to the demo app: all its requests are.
    await sb.control("/faults", { rate: 0, mailbox: shared });
    await sb.control("/faults", { rate: 1, statuses: [503], clientId: "00000000-0000-4000-8000-000000000001" });
    expect([await status(send(shared)), await status(send(allowed))]).toEqual([202, 202]);
    await sb.control("/faults", { rate: 1, statuses: [503], clientId: sb.endpoints.app.clientId });
    expect([await status(send(shared)), await status(send(allowed))]).toEqual([503, 503]);
    // App and mailbox together: only that pair.
    await sb.control("/faults", { rate: 0, clientId: sb.endpoints.app.clientId });
    await sb.control("/faults", { rate: 1, statuses: [429], clientId: sb.endpoints.app.clientId, mailbox: allowed });
    expect([await status(send(shared)), await status(send(allowed))]).toEqual([202, 429]);
    // Bad scope fields are named; reset clears scoped faults too.
    const bad = await sb.control<{ error: { fields: string[] } }>("/faults", { rate: 1, statuses: [429], mailbox: "", clientId: 7 });
    expect([bad.status, bad.json.error.fields]).toEqual([400, ["clientId", "mailbox"]]);
    await sb.control("/reset", {});
    expect((await sb.control<{ scoped: unknown[] }>("/faults")).json.scoped).toEqual([]);
    token = await sb.appTokenFor();
    expect(await status(send(allowed))).toBe(202);
  });

  it("allows 4 concurrent requests per app and mailbox; the 5th gets 429 ApplicationThrottled", async () => {
    sb.ctx.faults = { rate: 0, statuses: [429], retryAfterSeconds: 1, latencyMs: 400 };
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => graph().api(`/users/${sb.endpoints.mailboxes.shared}/sendMail`).middlewareOptions(noRetry()).post(mail([`lee.gu@${d()}`], { subject: `c${i}` }))),
    );
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => r.reason as GraphError);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(4);
    expect(rejected.map((e) => [e.statusCode, e.code, e.message, e.headers?.get("retry-after")])).toEqual([
      [429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.", "1"],
      [429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.", "1"],
    ]);
    // Another mailbox is not affected by the first one's slots.
    sb.ctx.faults.latencyMs = 0;
    await graph().api(`/users/${sb.endpoints.mailboxes.allowed}/sendMail`).post(mail([`lee.gu@${d()}`]));
  });

  it("30 messages per minute per mailbox, then 429 with Retry-After until the window moves on", async () => {
    const from = sb.endpoints.mailboxes.shared;
    for (let i = 0; i < 30; i++) await graph().api(`/users/${from}/sendMail`).post(mail([`lee.gu@${d()}`], { subject: `m${i}` }));
    const e = await graphError(graph().api(`/users/${from}/sendMail`).middlewareOptions(noRetry()).post(mail([`lee.gu@${d()}`])));
    expect([e.statusCode, e.code]).toEqual([429, "ApplicationThrottled"]);
    const retryAfter = Number(e.headers?.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Other mailboxes have their own window.
    await graph().api(`/users/${sb.endpoints.mailboxes.allowed}/sendMail`).post(mail([`lee.gu@${d()}`]));
    await sb.control("/clock", { advanceSeconds: retryAfter });
    await graph().api(`/users/${from}/sendMail`).post(mail([`lee.gu@${d()}`], { subject: "after the window" }));
    expect(await delivered(`to=lee.gu@${d()}&subject=after the window`)).toHaveLength(1);
  });

  it("a sped-up clock (POST /clock {speed}) lets the 30-a-minute window pass in real seconds; bad speeds are refused by field", async () => {
    const from = sb.endpoints.mailboxes.shared;
    await sb.control("/clock", { advanceSeconds: 120 }); // a fresh window for this mailbox
    for (let i = 0; i < 30; i++) await graph().api(`/users/${from}/sendMail`).post(mail([`lee.gu@${d()}`], { subject: `fast ${i}` }));
    const e = await graphError(graph().api(`/users/${from}/sendMail`).middlewareOptions(noRetry()).post(mail([`lee.gu@${d()}`])));
    expect(e.statusCode).toBe(429);
    expect((await sb.control("/clock", { speed: 0 })).status).toBe(400);
    expect((await sb.control<{ error: { fields: string[] } }>("/clock", { speed: "fast" })).json.error.fields).toEqual(["speed"]);
    const before = Date.parse((await sb.control<{ now: string }>("/clock", { speed: 200 })).json.now);
    await new Promise((r) => setTimeout(r, 400)); // 400 ms real = 80 s on the sandbox clock
    try {
      const state = await sb.control<{ clock: { now: string; speed: number } }>("/state", undefined, "GET");
      expect(state.json.clock.speed).toBe(200);
      expect(Date.parse(state.json.clock.now) - before).toBeGreaterThanOrEqual(60_000);
      await graph().api(`/users/${from}/sendMail`).post(mail([`lee.gu@${d()}`], { subject: "after the fast window" }));
    } finally {
      await sb.control("/clock", { speed: 1 });
    }
    expect(await delivered(`to=lee.gu@${d()}&subject=after the fast window`)).toHaveLength(1);
  });

  it("latencyJitterMs adds a random delay per request, validated like the other fault fields", async () => {
    expect((await sb.control<{ error: { fields: string[] } }>("/faults", { rate: 0, latencyJitterMs: -1 })).json.error.fields).toEqual(["latencyJitterMs"]);
    expect((await sb.control("/faults", { rate: 0, latencyMs: 0, latencyJitterMs: 120 })).status).toBe(200);
    try {
      const t = performance.now();
      for (let i = 0; i < 4; i++) await graph().api(`/users/${sb.endpoints.mailboxes.allowed}/sendMail`).post(mail([`lee.gu@${d()}`], { subject: `jitter ${i}` }));
      expect(performance.now() - t).toBeGreaterThan(20); // four draws of 0..120 ms
    } finally {
      await sb.control("/faults", { rate: 0, latencyMs: 0, latencyJitterMs: 0 });
    }
  });
});
