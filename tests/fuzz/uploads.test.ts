/**
 * Issue 10, bad input: POST /api/uploads and DELETE /api/uploads/[id] (the real route handlers, real
 * Request objects, a real next-auth session cookie inside Next's request scope) with 1,000+ generated
 * requests each: path tricks in the file name (../, absolute and UNC paths, NUL, reserved Windows names,
 * bidi overrides, huge names), hostile content types, empty bodies, forged and foreign ids. An upload is
 * stored only as its Upload row and its chunks in PostgreSQL (lib/uploads), under a random id and a plain
 * file name, with nothing at all written to the data folder, or refused with a 4xx and nothing left behind
 * (a refused upload's reservation is released); a delete removes only the caller's own unsent upload, its
 * row and its chunks.
 */
import { inRequestScope, portalRequest, sessionCookie } from "../support/next-scope";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
import { delta, expectClientError, fc, holds, hostileFileName, hostileString, rowCounts, show, type ErrorBody } from "./support";

let penv: PortalEnv;
let cookie: string;
let senderId: string;
let otherId: string;

beforeAll(async () => {
  process.env.PORTAL_URL = "http://localhost:3000";
  penv = await startPortalEnv("fuzz-uploads");
  const { db } = await import("@/lib/db");
  const sender = await db().user.create({ data: { email: "sam.sender@example.com", name: "Sam Sender", role: "sender" } });
  otherId = (await db().user.create({ data: { email: "olga.other@example.com", name: "Olga Other", role: "sender" } })).id;
  senderId = sender.id;
  cookie = await sessionCookie(sender);
});

afterAll(async () => {
  await penv?.close();
});

/** Every file under the data folder, relative to it: uploads are in the database, nothing may land here. */
async function dataFiles(): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string) {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else out.push(path.relative(penv.dataDir, full));
    }
  }
  await walk(penv.dataDir);
  return out.sort();
}

const contentType = fc.option(fc.oneof(fc.constantFrom("text/plain", "application/pdf", "image/png; charset=binary", "multipart/form-data; boundary=x", "../../etc", "text/html\r\nX-Evil: 1", "", "*/*"), hostileString), { nil: undefined });

describe("POST /api/uploads with 1,000 generated file names, types and bodies", () => {
  it("stores the bytes in the database under a random id and a plain file name, or answers 4xx leaving nothing behind", async () => {
    const { POST } = await import("@/app/api/uploads/route");
    let stored = 0;
    const upload = fc.record({
      names: fc.oneof({ weight: 6, arbitrary: hostileFileName.map((n) => [n]) }, { weight: 1, arbitrary: fc.constant([] as string[]) }, { weight: 1, arbitrary: fc.array(hostileFileName, { minLength: 2, maxLength: 3 }) }),
      type: contentType,
      body: fc.oneof({ weight: 5, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 4096 }) }, { weight: 1, arbitrary: fc.constant(new Uint8Array(0)) }, { weight: 1, arbitrary: fc.constant(null) }),
    });
    const { ownUpload, removeUpload } = await import("@/lib/sends/upload-store");
    const rows = await rowCounts();
    await holds("post-upload", upload, async ({ names, type, body }) => {
      const ctx = show({ names, type, size: body?.length ?? null });
      const files = await dataFiles();
      const before = await rowCounts();
      const qs = new URLSearchParams(names.map((n) => ["name", n])).toString();
      const url = `/api/uploads${qs ? `?${qs}` : ""}`;
      const headers: Record<string, string> = {};
      if (type !== undefined) {
        try {
          new Headers({ "content-type": type });
          headers["content-type"] = type;
        } catch {
          // a value no HTTP client can send (CR, NUL …): the request goes without it
        }
      }
      const req = portalRequest(url, { cookie, headers, body: body ? new Blob([body]) : null });
      const res = await inRequestScope(req, () => POST(req, { params: Promise.resolve({}) }));
      const payload = (await res.json()) as ErrorBody & { id?: string; name?: string; size?: number; contentType?: string };
      const after = await dataFiles();
      const d = delta(before, await rowCounts());
      if (res.status === 201) {
        expect(d, ctx).toEqual({ Upload: 1, UploadChunk: 1 });
        stored++;
        expect(payload.id, ctx).toMatch(/^[a-f0-9]{32}$/);
        expect(payload.size, ctx).toBe(body!.length);
        expect(after, ctx).toEqual(files);
        // The stored name is a plain file name: no directory, no control or reserved path characters, no leading dot.
        expect(payload.name, ctx).toMatch(/^[^\\/\u0000-\u001f\u007f<>:"|?*.\s][^\\/\u0000-\u001f\u007f<>:"|?*]{0,199}$/);
        expect(payload.contentType, ctx).toMatch(/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/);
        expect((await ownUpload(senderId, payload.id!)).name, ctx).toBe(payload.name);
        await removeUpload(payload.id!); // keeps the folder small: each run lists it
      } else {
        expectClientError(res.status, payload, [], ctx);
        expect(after, ctx).toEqual(files);
        expect(d, ctx).toEqual({});
      }
    });
    expect(stored).toBeGreaterThan(500);
    // Every stored upload was removed again: no row anywhere is left over.
    expect(delta(rows, await rowCounts())).toEqual({});
  }, 300_000);
});

describe("DELETE /api/uploads/[id] with 1,000 generated ids", () => {
  it("removes only the caller's own unsent upload; anything else is a 404 that changes nothing", async () => {
    const { DELETE } = await import("@/app/api/uploads/[id]/route");
    const { saveUpload, markUploadUsed } = await import("@/lib/sends/upload-store");
    const save = (ownerId: string) => saveUpload({ ownerId, name: "a.txt", contentType: "text/plain", body: new Blob(["bytes"]).stream() });
    const theirs = await save(otherId);
    const sent = await save(senderId);
    await markUploadUsed(sent.id, "some-send");
    const idArb = fc.oneof(
      { weight: 2, arbitrary: fc.constant("own") },
      { weight: 1, arbitrary: fc.constantFrom(theirs.id, sent.id, theirs.id.toUpperCase(), `${theirs.id}.json`, `../uploads/${theirs.id}`, `${theirs.id}\u0000`, ` ${theirs.id}`) },
      { weight: 1, arbitrary: fc.stringMatching(/^[a-f0-9]{32}$/) },
      { weight: 3, arbitrary: hostileFileName },
      { weight: 1, arbitrary: fc.array(fc.constantFrom("..", "uploads", theirs.id, "secret.key", "setup-code", ".json", ".bin", "/"), { minLength: 1, maxLength: 4 }).map((p) => p.join("/")) },
    );
    let removed = 0;
    const rows = await rowCounts();
    await holds("delete-upload", idArb, async (pick) => {
      const id = pick === "own" ? (await save(senderId)).id : pick;
      const ctx = show(id);
      const files = await dataFiles();
      const before = await rowCounts();
      let pathname = "/api/uploads/x";
      try {
        pathname = `/api/uploads/${encodeURIComponent(id)}`;
      } catch {
        // an unpaired surrogate cannot be put in a URL: Next would hand the handler the decoded param anyway
      }
      const req = portalRequest(pathname, { method: "DELETE", cookie });
      const res = await inRequestScope(req, () => DELETE(req, { params: Promise.resolve({ id }) }));
      const after = await dataFiles();
      const d = delta(before, await rowCounts());
      if (pick === "own") {
        expect(res.status, ctx).toBe(204);
        expect(d, ctx).toEqual({ Upload: -1, UploadChunk: -1 });
        removed++;
        expect(after, ctx).toEqual(files);
      } else if (id === sent.id) {
        expect(res.status, ctx).toBe(204); // already sent: kept for its send
        expect(after, ctx).toEqual(files);
        expect(d, ctx).toEqual({});
      } else {
        const payload = (await res.json()) as ErrorBody;
        expectClientError(res.status, payload, ["attachments"], ctx); // the compose form's field the upload belongs to
        expect(res.status, ctx).toBe(404);
        expect(after, ctx).toEqual(files);
        expect(d, ctx).toEqual({});
      }
    });
    expect(removed).toBeGreaterThan(100);
    expect(delta(rows, await rowCounts())).toEqual({});
  }, 300_000);
});
