/**
 * Forged requests against the real route handlers (app/api/…/route.ts through lib/api.ts's route()):
 * a state-changing request must come from the portal's own origin, and a JSON route takes only
 * `Content-Type: application/json`. The order is origin → content type → session → role → body, so a
 * forged request is refused before any session lookup.
 *
 * Next's request scope (cookies()/headers(), which next-auth's getServerSession reads) exists only
 * inside a running Next server, so the session lookup alone is stubbed here: `signedIn` says who it
 * returns. Everything else — route(), the handlers, queueSend and the database — is real; the
 * browser-level version of these attacks, with a real session cookie, is e2e/hardening.spec.ts.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as SessionModule from "@/lib/auth/session";
import type { SessionUser } from "@/lib/auth/session";
import { createTestDatabase } from "../support/db";

const PORTAL = "http://localhost:3000";
let signedIn: SessionUser | null = null;

vi.mock("@/lib/auth/session", async (importOriginal) => ({
  ...(await importOriginal<typeof SessionModule>()),
  currentUser: async () => signedIn,
}));

let dropDb: () => Promise<void>;
let dataDir: string;
type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
let postSend: Handler;
let getSend: Handler;
let postUpload: Handler;
let deleteUpload: Handler;
let sender: SessionUser;

beforeAll(async () => {
  const created = await createTestDatabase();
  dropDb = created.drop;
  dataDir = await mkdtemp(path.join(os.tmpdir(), "gmp-origin-"));
  process.env.DATABASE_URL = created.url;
  process.env.PORTAL_SECRET_KEY = randomBytes(32).toString("hex");
  process.env.PORTAL_DATA_DIR = dataDir;
  process.env.PORTAL_URL = PORTAL;
  postSend = (await import("@/app/api/sends/route")).POST as Handler;
  getSend = (await import("@/app/api/sends/[id]/route")).GET as Handler;
  postUpload = (await import("@/app/api/uploads/route")).POST as Handler;
  deleteUpload = (await import("@/app/api/uploads/[id]/route")).DELETE as Handler;
  const { db } = await import("@/lib/db");
  sender = await db().user.create({
    data: { email: "sam.sender@example.com", name: "Sam Sender", role: "sender" },
    select: { id: true, name: true, email: true, role: true, tenantId: true },
  });
});

afterAll(async () => {
  const { db } = await import("@/lib/db");
  await db().$disconnect();
  await dropDb();
  await rm(dataDir, { recursive: true, force: true });
});

const JSON_BODY = JSON.stringify({ tenantId: "t", mode: "app", from: "a@example.com", to: ["victim@example.com"], subject: "hi", body: "x" });

function request(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): NextRequest {
  return new NextRequest(new URL(url, PORTAL), { method: init.method ?? "POST", headers: init.headers, body: init.body });
}

async function call(handler: Handler, req: NextRequest, params: Record<string, string> = {}) {
  const res = await handler(req, { params: Promise.resolve(params) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as { error?: { code: string; message: string; fields?: Record<string, string> } }) : null };
}

describe("POST /api/sends refuses forged requests", () => {
  it("refuses a request with neither Origin nor Sec-Fetch-Site (403), even when signed in", async () => {
    signedIn = sender;
    const res = await call(postSend, request("/api/sends", { headers: { "content-type": "application/json" }, body: JSON_BODY }));
    expect(res.status).toBe(403);
    expect(res.body?.error?.code).toBe("CROSS_ORIGIN");
    expect(res.body?.error?.message).toContain(PORTAL);
  });

  it.each([
    ["another port of the same host", "http://localhost:3001"],
    ["an opaque origin (sandboxed frame, data: URL)", "null"],
    ["another host", "https://evil.example"],
    ["another scheme", "https://localhost:3000"],
    ["the portal's origin with a path (not an origin)", `${PORTAL}/`],
  ])("refuses Origin from %s (403), even when signed in", async (_what, origin) => {
    signedIn = sender;
    const res = await call(postSend, request("/api/sends", { headers: { origin, "content-type": "application/json" }, body: JSON_BODY }));
    expect(res.status).toBe(403);
    expect(res.body?.error?.code).toBe("CROSS_ORIGIN");
  });

  it("does not trust the Host header: a request to another host name that names itself in Origin is refused", async () => {
    signedIn = sender;
    const other = "http://portal-alias.internal:3000";
    const req = request(`${other}/api/sends`, { headers: { host: "portal-alias.internal:3000", origin: other, "content-type": "application/json" }, body: JSON_BODY });
    expect(req.nextUrl.origin).toBe(other);
    expect((await call(postSend, req)).status).toBe(403);
  });

  it("refuses Sec-Fetch-Site other than same-origin when Origin is missing (403)", async () => {
    signedIn = sender;
    for (const site of ["same-site", "cross-site", "none"]) {
      const res = await call(postSend, request("/api/sends", { headers: { "sec-fetch-site": site, "content-type": "application/json" }, body: JSON_BODY }));
      expect(res.status, site).toBe(403);
    }
  });

  it("refuses a same-origin body that is not declared JSON (415): the text/plain form trick", async () => {
    signedIn = sender;
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx"]) {
      const res = await call(postSend, request("/api/sends", { headers: { origin: PORTAL, "content-type": type }, body: JSON_BODY }));
      expect(res.status, type).toBe(415);
      expect(res.body?.error?.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    }
    const none = await call(postSend, request("/api/sends", { headers: { origin: PORTAL }, body: JSON_BODY }));
    expect(none.status).toBe(415);
  });

  it("answers 401 to a same-origin JSON request without a session", async () => {
    signedIn = null;
    const res = await call(postSend, request("/api/sends", { headers: { origin: PORTAL, "content-type": "application/json; charset=utf-8" }, body: JSON_BODY }));
    expect(res.status).toBe(401);
    const viaFetchMetadata = await call(postSend, request("/api/sends", { headers: { "sec-fetch-site": "same-origin", "content-type": "application/json" }, body: JSON_BODY }));
    expect(viaFetchMetadata.status).toBe(401);
  });

  it("lets a same-origin JSON request through to queueSend, which validates it (422, nothing queued)", async () => {
    signedIn = sender;
    const res = await call(postSend, request("/api/sends", { headers: { origin: PORTAL, "content-type": "Application/JSON" }, body: JSON.stringify({ subject: "" }) }));
    expect(res.status).toBe(422);
    expect(res.body?.error?.code).toBe("VALIDATION_FAILED");
    const { db } = await import("@/lib/db");
    expect(await db().send.count()).toBe(0);
  });
});

describe("the upload routes refuse forged requests too", () => {
  it("POST /api/uploads: no Origin or a foreign one → 403; same origin without a session → 401 (any Content-Type)", async () => {
    signedIn = sender;
    const file = { body: "file bytes", headers: { "content-type": "text/plain" } };
    expect((await call(postUpload, request("/api/uploads?name=a.txt", file))).status).toBe(403);
    expect((await call(postUpload, request("/api/uploads?name=a.txt", { ...file, headers: { ...file.headers, origin: "http://localhost:3001" } }))).status).toBe(403);
    signedIn = null;
    expect((await call(postUpload, request("/api/uploads?name=a.txt", { ...file, headers: { ...file.headers, origin: PORTAL } }))).status).toBe(401);
  });

  it("DELETE /api/uploads/[id]: no Origin or a foreign one → 403; same origin without a session → 401", async () => {
    signedIn = sender;
    expect((await call(deleteUpload, request("/api/uploads/u1", { method: "DELETE" }), { id: "u1" })).status).toBe(403);
    expect((await call(deleteUpload, request("/api/uploads/u1", { method: "DELETE", headers: { origin: "null" } }), { id: "u1" })).status).toBe(403);
    signedIn = null;
    expect((await call(deleteUpload, request("/api/uploads/u1", { method: "DELETE", headers: { origin: PORTAL } }), { id: "u1" })).status).toBe(401);
  });
});

describe("reads are not affected", () => {
  it("GET /api/sends/[id] needs no Origin (a navigation or <img> sends none): it goes straight to the session check", async () => {
    signedIn = null;
    expect((await call(getSend, request("/api/sends/x", { method: "GET" }), { id: "x" })).status).toBe(401);
    expect((await call(getSend, request("/api/sends/x", { method: "GET", headers: { origin: "https://evil.example" } }), { id: "x" })).status).toBe(401);
  });
});
