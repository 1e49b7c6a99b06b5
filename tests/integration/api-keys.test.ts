/**
 * The scripts' door (/api/v1) against real PostgreSQL and the in-process sandbox tenant: scoped API keys
 * as principals of the sender-grant model, the real route handlers (called with real Requests), the one
 * queueing path, the outbox worker's re-check, idempotency under concurrent retries, RFC 9457 problems
 * naming the field, and the OpenAPI document generated from the handlers' schemas.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import SwaggerParser from "@apidevtools/swagger-parser";
import type { TestSandbox } from "m365-sandbox/helpers";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
import { hostileStrings } from "../support/hostile-strings";
import type * as DbModule from "@/lib/db";
import type * as CreateKeyModule from "@/lib/api-keys/create-key";
import type * as RevokeKeyModule from "@/lib/api-keys/revoke-key";
import type * as ClaimModule from "@/lib/outbox/claim";
import type * as ProcessModule from "@/lib/outbox/process-send";
import type * as OptionsModule from "@/lib/outbox/options";
import type * as OpenApiModule from "@/lib/api-v1/openapi";
import type * as SchemasModule from "@/lib/schemas/api-v1";
import type * as StoreModule from "@/lib/rate-limit/store";

type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  errors?: { field: string; message: string }[];
}

let env: PortalEnv;
let sb: TestSandbox;
let tenantId: string;
let admin: { id: string; name: string; email: string; role: "admin"; tenantId: null };
const uniq = () => randomBytes(4).toString("hex");
const PORTAL = "http://localhost:3000";

const lib = {} as {
  db: typeof DbModule.db;
  createApiKey: typeof CreateKeyModule.createApiKey;
  revokeApiKey: typeof RevokeKeyModule.revokeApiKey;
  claimSends: typeof ClaimModule.claimSends;
  processSend: typeof ProcessModule.processSend;
  outboxOptions: typeof OptionsModule.outboxOptions;
  openApiDocument: typeof OpenApiModule.openApiDocument;
  schemas: typeof SchemasModule;
  closeRateLimitPool: typeof StoreModule.closeRateLimitPool;
  postMessage: Handler;
  listMessages: Handler;
  getMessage: Handler;
  postUpload: Handler;
};

beforeAll(async () => {
  process.env.PORTAL_URL = PORTAL;
  env = await startPortalEnv("apikeys", { senders: (e) => [e.mailboxes.shared, e.mailboxes.allowed] });
  sb = env.sb;
  tenantId = env.tenantId;
  Object.assign(lib, {
    db: (await import("@/lib/db")).db,
    createApiKey: (await import("@/lib/api-keys/create-key")).createApiKey,
    revokeApiKey: (await import("@/lib/api-keys/revoke-key")).revokeApiKey,
    claimSends: (await import("@/lib/outbox/claim")).claimSends,
    processSend: (await import("@/lib/outbox/process-send")).processSend,
    outboxOptions: (await import("@/lib/outbox/options")).outboxOptions,
    openApiDocument: (await import("@/lib/api-v1/openapi")).openApiDocument,
    schemas: await import("@/lib/schemas/api-v1"),
    closeRateLimitPool: (await import("@/lib/rate-limit/store")).closeRateLimitPool,
    postMessage: (await import("@/app/api/v1/messages/route")).POST as Handler,
    listMessages: (await import("@/app/api/v1/messages/route")).GET as Handler,
    getMessage: (await import("@/app/api/v1/messages/[id]/route")).GET as Handler,
    postUpload: (await import("@/app/api/v1/uploads/route")).POST as Handler,
  });
  const u = await lib.db().user.create({ data: { email: `admin.${uniq()}@example.com`, name: "Ada Admin", role: "admin" } });
  admin = { id: u.id, name: u.name!, email: u.email, role: "admin", tenantId: null };
});

afterAll(async () => {
  await lib.closeRateLimitPool?.();
  await env?.close();
});

beforeEach(async () => {
  await lib.db().mailboxPace.deleteMany({});
});

const mailboxId = async (address: string) => (await lib.db().senderMailbox.findFirstOrThrow({ where: { tenantId, address } })).id;

async function newKey(extra: Record<string, unknown> = {}, mailboxes = [sb.endpoints.mailboxes.shared]) {
  return lib.createApiKey(admin, { tenantId, name: `script-${uniq()}`, mailboxIds: await Promise.all(mailboxes.map(mailboxId)), ...extra });
}

const recipient = (address: string) => ({ emailAddress: { address } });
const message = (from: string, extra: Record<string, unknown> = {}) => ({
  from: recipient(from),
  subject: `api ${uniq()}`,
  body: { contentType: "HTML", content: "<p>Hello from a script</p>" },
  toRecipients: [recipient(sb.endpoints.mailboxes.allowed)],
  ...extra,
});

function req(path: string, init: { method?: string; key?: string | null; headers?: Record<string, string>; body?: unknown; raw?: string | Uint8Array } = {}): NextRequest {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key) headers.authorization = `Bearer ${init.key}`;
  if (init.body !== undefined) headers["content-type"] ??= "application/json";
  const body: BodyInit | undefined = init.raw instanceof Uint8Array ? new Blob([new Uint8Array(init.raw)]) : (init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)));
  return new NextRequest(new URL(path, PORTAL), { method: init.method ?? (body === undefined ? "GET" : "POST"), headers, body });
}

async function call<T = Problem>(handler: Handler, r: NextRequest, params: Record<string, string> = {}) {
  const res = await handler(r, { params: Promise.resolve(params) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as T };
}

async function runOutbox() {
  const o = lib.outboxOptions({ leaseMs: 30_000, timeoutMs: 20_000 });
  const claimed = await lib.claimSends(`w-api-${uniq()}`, { limit: 50, leaseMs: o.leaseMs, pace: o.pace });
  return Promise.all(claimed.map((c) => lib.processSend(c.id, c.lease, o)));
}

async function delivered(subject: string) {
  const r = await sb.control<{ subject: string }[]>(`/messages?subject=${encodeURIComponent(subject)}`);
  return r.json.filter((m) => m.subject === subject).length;
}

describe("API keys", () => {
  it("stores only a hash and a display prefix; the secret is nowhere in the database", async () => {
    const k = await newKey();
    expect(k.secret).toMatch(/^gmp_live_[A-Za-z0-9_-]{43}$/);
    expect(k.displayPrefix).toBe(`${k.secret.slice(0, 13)}…`);
    const row = await lib.db().apiKey.findUniqueOrThrow({ where: { id: k.id } });
    expect(row.hash).toMatch(/^[a-f0-9]{64}$/);
    const dump = JSON.stringify([row, await lib.db().auditEvent.findMany({}), await lib.db().senderGrant.findMany({})]);
    expect(dump).not.toContain(k.secret);
    expect(dump).not.toContain(k.secret.slice(13));
  });

  it("cannot send as a mailbox it is not granted: 403 problem naming `from`, no Send row, Graph never called", async () => {
    const k = await newKey();
    const m = message(sb.endpoints.mailboxes.allowed);
    const res = await call(lib.postMessage, req("/api/v1/messages", { key: k.secret, body: m }));
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.body).toMatchObject({ status: 403, title: "Forbidden", instance: "/api/v1/messages", code: "NOT_GRANTED" });
    expect(res.body.errors).toEqual([{ field: "from", message: expect.stringMatching(/may not send as/) }]);
    expect(await lib.db().send.count({ where: { apiKeyId: k.id } })).toBe(0);
    await runOutbox();
    expect(await delivered(m.subject)).toBe(0);
  });

  it("a granted mailbox: 202 with Location, sent by the worker, readable by the same key only", async () => {
    const k = await newKey();
    const m = message(sb.endpoints.mailboxes.shared);
    const res = await call<{ id: string; status: string; location: string }>(lib.postMessage, req("/api/v1/messages", { key: k.secret, body: m }));
    expect(res.status).toBe(202);
    expect(res.headers.get("location")).toBe(`/api/v1/messages/${res.body.id}`);
    expect(await lib.db().send.findUniqueOrThrow({ where: { id: res.body.id } })).toMatchObject({ mode: "api", apiKeyId: k.id, actorUserId: null, status: "queued" });
    await runOutbox();
    expect(await delivered(m.subject)).toBe(1);

    const one = await call<{ status: string; attempts: unknown[]; failure: unknown }>(lib.getMessage, req(`/api/v1/messages/${res.body.id}`, { key: k.secret }), { id: res.body.id });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ status: "accepted", failure: null, from: sb.endpoints.mailboxes.shared });
    expect(one.body.attempts.length).toBeGreaterThan(0);
    const list = await call<{ value: { id: string }[] }>(lib.listMessages, req("/api/v1/messages?status=accepted", { key: k.secret }));
    expect(list.body.value.map((v) => v.id)).toEqual([res.body.id]);

    const other = await newKey();
    expect((await call(lib.getMessage, req(`/api/v1/messages/${res.body.id}`, { key: other.secret }), { id: res.body.id })).status).toBe(404);
    expect((await call<{ value: unknown[] }>(lib.listMessages, req("/api/v1/messages", { key: other.secret }))).body.value).toEqual([]);

    const used = await lib.db().apiKey.findUniqueOrThrow({ where: { id: k.id } });
    expect(used.useCount).toBe(3);
    expect(used.lastUsedAt).not.toBeNull();
    expect(used.lastUsedIp).toBeTruthy();
  });

  it("an expired, revoked, unknown or missing key is a 401 problem with WWW-Authenticate", async () => {
    const expired = await newKey();
    await lib.db().apiKey.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const revoked = await newKey();
    await lib.revokeApiKey(admin, { keyId: revoked.id });
    const unknown = `gmp_live_${randomBytes(32).toString("base64url")}`;
    for (const [key, detail] of [[expired.secret, /expired/], [revoked.secret, /revoked/], [unknown, /not known/], [null, /Authorization header/], ["not-a-key", /does not hold/]] as const) {
      const res = await call(lib.postMessage, req("/api/v1/messages", { key, body: message(sb.endpoints.mailboxes.shared) }));
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="api"');
      expect(res.body.detail).toMatch(detail);
    }
    expect(await lib.db().send.count({ where: { apiKeyId: { in: [expired.id, revoked.id] } } })).toBe(0);
  });

  it("a key revoked after queueing: the worker's re-check stops the send before Graph", async () => {
    const k = await newKey();
    const m = message(sb.endpoints.mailboxes.shared);
    const res = await call<{ id: string }>(lib.postMessage, req("/api/v1/messages", { key: k.secret, body: m }));
    expect(res.status).toBe(202);
    await lib.revokeApiKey(admin, { keyId: k.id });
    await runOutbox();
    expect(await lib.db().send.findUniqueOrThrow({ where: { id: res.body.id } })).toMatchObject({ status: "failed", errorCode: "KEY_INACTIVE" });
    expect(await delivered(m.subject)).toBe(0);
  });

  it("Idempotency-Key: 20 concurrent retries queue one send and all answer its id; another body is a 422", async () => {
    const k = await newKey({ ratePerMinute: 100 });
    const m = message(sb.endpoints.mailboxes.shared);
    const idem = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => call<{ id: string }>(lib.postMessage, req("/api/v1/messages", { key: k.secret, body: m, headers: { "idempotency-key": idem } }))),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(202));
    const ids = new Set(results.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.headers.get("idempotent-replayed") === "true")).toHaveLength(19);
    expect(await lib.db().send.count({ where: { apiKeyId: k.id } })).toBe(1);
    await runOutbox();
    expect(await delivered(m.subject)).toBe(1);

    const later = await call<{ id: string }>(lib.postMessage, req("/api/v1/messages", { key: k.secret, body: m, headers: { "idempotency-key": idem } }));
    expect(later).toMatchObject({ status: 202, body: { id: [...ids][0] } });
    const other = await call(lib.postMessage, req("/api/v1/messages", { key: k.secret, body: { ...m, subject: "changed" }, headers: { "idempotency-key": idem } }));
    expect(other.status).toBe(422);
    expect(other.body.errors?.[0]?.field).toBe("Idempotency-Key");
    // Per key: another key may use the same Idempotency-Key for its own message.
    const k2 = await newKey();
    expect((await call(lib.postMessage, req("/api/v1/messages", { key: k2.secret, body: m, headers: { "idempotency-key": idem } }))).status).toBe(202);
    expect(await lib.db().send.count({ where: { subject: m.subject } })).toBe(2);
  });

  it("a refused request releases its Idempotency-Key: the corrected retry is queued", async () => {
    const k = await newKey();
    const idem = randomUUID();
    const bad = message(sb.endpoints.mailboxes.allowed);
    expect((await call(lib.postMessage, req("/api/v1/messages", { key: k.secret, body: bad, headers: { "idempotency-key": idem } }))).status).toBe(403);
    expect(await lib.db().idempotencyRecord.count({ where: { apiKeyId: k.id } })).toBe(0);
    const fixed = await call<{ id: string }>(lib.postMessage, req("/api/v1/messages", { key: k.secret, body: message(sb.endpoints.mailboxes.shared), headers: { "idempotency-key": idem } }));
    expect(fixed.status).toBe(202);
    expect(await lib.db().idempotencyRecord.findFirst({ where: { apiKeyId: k.id } })).toMatchObject({ key: idem, sendId: fixed.body.id });
  });

  it("a claim left pending by a crashed instance is taken over after a minute; records are kept 24 hours", async () => {
    const k = await newKey();
    const m = message(sb.endpoints.mailboxes.shared);
    const { requestHash, purgeIdempotencyRecords } = await import("@/lib/api-keys/idempotent-send");
    const stale = await lib.db().idempotencyRecord.create({ data: { apiKeyId: k.id, key: "crashed", requestHash: requestHash(m), claimedAt: new Date(Date.now() - 120_000) } });
    const res = await call<{ id: string }>(lib.postMessage, req("/api/v1/messages", { key: k.secret, body: m, headers: { "idempotency-key": "crashed" } }));
    expect(res.status).toBe(202);
    expect(await lib.db().idempotencyRecord.findUniqueOrThrow({ where: { id: stale.id } })).toMatchObject({ sendId: res.body.id });
    await lib.db().idempotencyRecord.update({ where: { id: stale.id }, data: { createdAt: new Date(Date.now() - 25 * 3600_000) } });
    expect(await purgeIdempotencyRecords()).toBeGreaterThanOrEqual(1);
    expect(await lib.db().idempotencyRecord.findUnique({ where: { id: stale.id } })).toBeNull();
  });

  it("bad input is an RFC 9457 problem naming the field", async () => {
    const k = await newKey();
    const cases: [unknown, string][] = [
      [message(sb.endpoints.mailboxes.shared, { toRecipients: [recipient("not-an-address")] }), "toRecipients.0.emailAddress.address"],
      [message(sb.endpoints.mailboxes.shared, { toRecipients: [] }), "toRecipients"],
      [message(sb.endpoints.mailboxes.shared, { importance: "urgent" }), "importance"],
      [message(sb.endpoints.mailboxes.shared, { subject: "two\r\nlines" }), "subject"],
      [message(sb.endpoints.mailboxes.shared, { tooRecipients: [] }), "tooRecipients"],
      [message(sb.endpoints.mailboxes.shared, { attachments: [{ "@odata.type": "#microsoft.graph.itemAttachment", name: "x", contentBytes: "eA==" }] }), "attachments.0.@odata.type"],
      [{ ...message(sb.endpoints.mailboxes.shared), from: { emailAddress: {} } }, "from.emailAddress.address"],
    ];
    for (const [body, field] of cases) {
      const res = await call(lib.postMessage, req("/api/v1/messages", { key: k.secret, body }));
      expect(res.status, field).toBe(422);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.body).toMatchObject({ type: expect.any(String), title: "Unprocessable content", status: 422, detail: expect.any(String), instance: "/api/v1/messages" });
      expect(res.body.errors?.map((e) => e.field), field).toContain(field);
    }
    const unknownKey = await call(lib.postMessage, req("/api/v1/messages", { key: k.secret, body: message(sb.endpoints.mailboxes.shared, { tooRecipients: [] }) }));
    expect(unknownKey.body.errors?.[0]?.message).toMatch(/tooRecipients/);
    const notJson = await call(lib.postMessage, req("/api/v1/messages", { key: k.secret, raw: "{", headers: { "content-type": "application/json" } }));
    expect(notJson).toMatchObject({ status: 400, body: { code: "INVALID_JSON" } });
    const form = await call(lib.postMessage, req("/api/v1/messages", { key: k.secret, raw: "a=b", headers: { "content-type": "application/x-www-form-urlencoded" } }));
    expect(form.status).toBe(415);
    const badFilter = await call(lib.listMessages, req("/api/v1/messages?status=lost", { key: k.secret }));
    expect(badFilter).toMatchObject({ status: 422, body: { errors: [{ field: "status" }] } });
    expect(await lib.db().send.count({ where: { apiKeyId: k.id } })).toBe(0);
  });

  it("hostile strings in every field and header are a 202 or a problem naming something, never a 500", async () => {
    const k = await newKey({ ratePerMinute: 600 });
    const strings = hostileStrings(120, 12);
    const shapes: ((h: string) => { body: unknown; headers?: Record<string, string> })[] = [
      (h) => ({ body: message(sb.endpoints.mailboxes.shared, { subject: h }) }),
      (h) => ({ body: message(sb.endpoints.mailboxes.shared, { body: { contentType: "html", content: h } }) }),
      (h) => ({ body: message(sb.endpoints.mailboxes.shared, { toRecipients: [{ emailAddress: { address: h, name: h } }] }) }),
      (h) => ({ body: message(h) }),
      (h) => ({ body: message(sb.endpoints.mailboxes.shared, { attachments: [{ "@odata.type": "#microsoft.graph.fileAttachment", name: h, contentBytes: "aGk=" }] }) }),
      (h) => ({ body: { [h]: h } }),
    ];
    const seen = new Set<number>();
    for (const [i, h] of strings.entries()) {
      const shape = shapes[i % shapes.length]!(h);
      const res = await call(lib.postMessage, req("/api/v1/messages", { key: k.secret, body: shape.body }));
      seen.add(res.status);
      expect(res.status, JSON.stringify(h)).not.toBe(500);
      if (res.status !== 202) {
        expect(res.headers.get("content-type"), JSON.stringify(h)).toBe("application/problem+json");
        expect(res.body.detail.length, JSON.stringify(h)).toBeGreaterThan(0);
      }
    }
    // Both outcomes happened: the check can see a refusal and an acceptance.
    expect(seen.has(202)).toBe(true);
    expect(seen.has(422)).toBe(true);
    const list = await call(lib.listMessages, req(`/api/v1/messages?q=${encodeURIComponent(strings.join(" ").slice(0, 150))}`, { key: k.secret }));
    expect([200, 422]).toContain(list.status);
    // Never sent: the other tests' outbox runs must not pick these up.
    await lib.db().send.deleteMany({ where: { apiKeyId: k.id } });
  });

  it("the key's rules: allowed recipient domains and the largest message", async () => {
    const k = await newKey({ allowedDomains: "contoso.example, fabrikam.example", maxMessageMb: "1" });
    const outside = await call(lib.postMessage, req("/api/v1/messages", { key: k.secret, body: message(sb.endpoints.mailboxes.shared) }));
    expect(outside.status).toBe(422);
    expect(outside.body.errors?.[0]).toMatchObject({ field: "toRecipients", message: expect.stringMatching(/only send to contoso.example, fabrikam.example/) });
    const big = Buffer.alloc(1024 * 1024 + 10, 1).toString("base64");
    const tooBig = await call(
      lib.postMessage,
      req("/api/v1/messages", { key: k.secret, body: message(sb.endpoints.mailboxes.shared, { toRecipients: [recipient("x@contoso.example")], attachments: [{ "@odata.type": "#microsoft.graph.fileAttachment", name: "big.bin", contentBytes: big }] }) }),
    );
    expect(tooBig.status).toBe(422);
    expect(tooBig.body.errors?.[0]?.field).toBe("attachments");
    expect(await lib.db().send.count({ where: { apiKeyId: k.id } })).toBe(0);
  });

  it("attachments: inline contentBytes and a streamed upload by id arrive with the message", async () => {
    const k = await newKey();
    const up = await call<{ id: string; size: number }>(lib.postUpload, req("/api/v1/uploads?name=report.csv", { key: k.secret, raw: new TextEncoder().encode("a,b\n1,2\n"), headers: { "content-type": "text/csv" } }));
    expect(up.status).toBe(201);
    // Another key cannot attach this key's upload.
    const thief = await newKey();
    const stolen = await call(lib.postMessage, req("/api/v1/messages", { key: thief.secret, body: message(sb.endpoints.mailboxes.shared, { attachmentIds: [up.body.id] }) }));
    expect(stolen.status).toBe(404);
    const m = message(sb.endpoints.mailboxes.shared, {
      attachmentIds: [up.body.id],
      attachments: [{ "@odata.type": "#microsoft.graph.fileAttachment", name: "hello.txt", contentType: "text/plain", contentBytes: Buffer.from("hello").toString("base64") }],
    });
    const res = await call<{ id: string }>(lib.postMessage, req("/api/v1/messages", { key: k.secret, body: m }));
    expect(res.status).toBe(202);
    const s = await lib.db().send.findUniqueOrThrow({ where: { id: res.body.id } });
    expect((s.attachments as { name: string }[]).map((a) => a.name).sort()).toEqual(["hello.txt", "report.csv"]);
    await runOutbox();
    expect(await delivered(m.subject)).toBe(1);
  });

  it("the per-minute limit of a key: the request over it is a 429 with Retry-After", async () => {
    const k = await newKey({ ratePerMinute: 2 });
    const send = () => call(lib.postMessage, req("/api/v1/messages", { key: k.secret, body: message(sb.endpoints.mailboxes.shared) }));
    expect((await send()).status).toBe(202);
    expect((await send()).status).toBe(202);
    const third = await send();
    expect(third.status).toBe(429);
    expect(Number(third.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await lib.db().send.count({ where: { apiKeyId: k.id } })).toBe(2);
  });
});

describe("OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const doc = lib.openApiDocument(PORTAL);
    const api = await SwaggerParser.validate(structuredClone(doc) as never);
    expect((api as { openapi: string }).openapi).toBe("3.1.0");
  });

  it("its schemas are the handlers' zod schemas, unchanged", () => {
    const doc = lib.openApiDocument(PORTAL) as unknown as { components: { schemas: Record<string, unknown> } };
    const S = lib.schemas;
    const handlers = [S.messageRequestSchema, S.messageAcceptedSchema, S.messageStatusSchema, S.messageListSchema, S.uploadCreatedSchema, S.problemSchema];
    const seen = new Set<string>();
    for (const schema of handlers) {
      // zod's own JSON Schema of the schema a handler parses with, its $defs pointed at the document's components.
      const own = JSON.parse(JSON.stringify(z.toJSONSchema(schema, { target: "draft-2020-12", io: "input", unrepresentable: "any" })).replaceAll("#/$defs/", "#/components/schemas/")) as { $defs: Record<string, Record<string, unknown>> };
      for (const [id, def] of Object.entries(own.$defs)) {
        const { id: _id, ...expected } = def;
        expect(doc.components.schemas[id], id).toEqual(expected);
        seen.add(id);
      }
    }
    expect([...seen].sort()).toEqual(Object.keys(doc.components.schemas).sort());
    expect((doc.components.schemas.MessageRequest as { additionalProperties: boolean }).additionalProperties).toBe(false);
  });
});
