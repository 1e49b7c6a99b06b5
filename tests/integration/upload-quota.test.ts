/**
 * Issue 10: upload quotas per person (count, bytes, at once) on real PostgreSQL and a real data folder,
 * through the lib operation POST /api/uploads streams into (saveUpload) and the ones DELETE and queueSend
 * call (removeUpload, markUploadUsed). Concurrency is forced with barriers: uploads held open mid-stream.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as QuotaModule from "@/lib/sends/upload-quota";
import type * as StoreModule from "@/lib/sends/upload-store";
import { createTestDatabase } from "../support/db";

let dropDb: () => Promise<void>;
let dataDir: string;
let store: typeof StoreModule;
let quota: typeof QuotaModule;
const KB = 1024;

beforeAll(async () => {
  const created = await createTestDatabase();
  dropDb = created.drop;
  process.env.DATABASE_URL = created.url;
  process.env.PORTAL_SECRET_KEY = randomBytes(32).toString("hex");
  dataDir = await mkdtemp(path.join(os.tmpdir(), "gmp-upq-"));
  process.env.PORTAL_DATA_DIR = dataDir;
  process.env.PORTAL_UPLOAD_MAX_FILES = "4";
  process.env.PORTAL_UPLOAD_MAX_MB = "1";
  process.env.PORTAL_UPLOAD_MAX_CONCURRENT = "3";
  process.env.PORTAL_UPLOAD_MIN_FREE_MB = "0";
  store = await import("@/lib/sends/upload-store");
  quota = await import("@/lib/sends/upload-quota");
});

afterAll(async () => {
  const { db } = await import("@/lib/db");
  await db().$disconnect();
  await dropDb();
  await rm(dataDir, { recursive: true, force: true });
});

const owner = () => `user-${randomBytes(4).toString("hex")}`;

async function* bytes(n: number) {
  yield new Uint8Array(n).fill(7);
}

/** An upload held open after its first byte until release() — it is admitted (reserved) once `admitted` resolves. */
function heldUpload(ownerId: string, size: number, declared: number | null = size) {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let admit!: () => void;
  const admitted = new Promise<void>((r) => (admit = r));
  const done = store.saveUpload({
    ownerId,
    name: "held.bin",
    contentType: "application/octet-stream",
    declaredBytes: declared,
    body: (async function* () {
      admit();
      yield new Uint8Array(1).fill(1);
      await gate;
      yield new Uint8Array(size - 1).fill(1);
    })(),
  });
  // Settles when admitted or refused, whichever comes first.
  const decided = Promise.race([admitted, done.then(() => undefined, () => undefined)]);
  return { done, decided, release };
}

const save = (ownerId: string, n: number, declared: number | null = n) =>
  store.saveUpload({ ownerId, name: "f.bin", contentType: "application/octet-stream", declaredBytes: declared, body: bytes(n) });

const filesOnDisk = async () => (await readdir(path.join(dataDir, "uploads")).catch(() => [] as string[])).sort();

describe("upload quotas", () => {
  it("count: the 5th unsent attachment is refused with 429 naming the limit; deleting or attaching one frees a place", async () => {
    const me = owner();
    const ups = [];
    for (let i = 0; i < 4; i++) ups.push(await save(me, 10));
    await expect(save(me, 10)).rejects.toMatchObject({ status: 429, code: "UPLOAD_QUOTA_FILES", userMessage: expect.stringMatching(/^You have 4 attachments uploaded and not sent yet, the most allowed \(4\)\./) });
    // Someone else's quota is their own.
    await expect(save(owner(), 10)).resolves.toMatchObject({ size: 10 });

    await store.removeUpload(ups[0]!.id); // what DELETE /api/uploads/[id] does
    const fifth = await save(me, 10);
    await expect(save(me, 10)).rejects.toMatchObject({ code: "UPLOAD_QUOTA_FILES" });
    await store.markUploadUsed(ups[1]!.id, "send-1"); // what queueSend does when the message is queued
    await expect(save(me, 10)).resolves.toMatchObject({ size: 10 });
    expect(await quota.uploadUsage(me)).toEqual({ files: 4, bytes: 40, inFlight: 0 });
    expect(fifth.size).toBe(10);
  });

  it("bytes: three 400 KB uploads racing for a 1 MB quota — exactly two get in (413 for the third); a file of unknown size is cut at what is left", async () => {
    const me = owner();
    const racing = [heldUpload(me, 400 * KB), heldUpload(me, 400 * KB), heldUpload(me, 400 * KB)];
    await Promise.all(racing.map((r) => r.decided));
    // All three were in flight at once: the lock made them take turns over the same remaining quota.
    racing.forEach((r) => r.release());
    const results = await Promise.allSettled(racing.map((r) => r.done));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2);
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ status: 413, code: "UPLOAD_QUOTA_BYTES", userMessage: "Your attachments not sent yet use 800 KB of your 1.0 MB upload quota; this file (400 KB) would go over it. Send the message or remove attachments, then attach this file again." });
    expect(await quota.uploadUsage(me)).toEqual({ files: 2, bytes: 800 * KB, inFlight: 0 });

    // No Content-Length: the upload may use what is left (224 KB) and is stopped past it; nothing is kept.
    const before = await filesOnDisk();
    await expect(save(me, 300 * KB, null)).rejects.toMatchObject({ status: 413, code: "UPLOAD_QUOTA_BYTES", userMessage: expect.stringMatching(/over your upload quota \(224 KB were left\)/) });
    expect(await filesOnDisk()).toEqual(before);
    expect(await quota.uploadUsage(me)).toEqual({ files: 2, bytes: 800 * KB, inFlight: 0 });
    await expect(save(me, 200 * KB, null)).resolves.toMatchObject({ size: 200 * KB });
  });

  it("at once: a 4th upload while 3 are in flight is refused with 429; finishing, failing or a dead instance's lapsed lease gives the place back", async () => {
    const me = owner();
    const held = [heldUpload(me, 10), heldUpload(me, 10), heldUpload(me, 10)];
    await Promise.all(held.map((h) => h.decided));
    expect(await quota.uploadUsage(me)).toMatchObject({ inFlight: 3 });
    await expect(save(me, 10)).rejects.toMatchObject({ status: 429, code: "UPLOAD_TOO_MANY_AT_ONCE", userMessage: "You are already uploading 3 files at once, the most allowed (3). Wait for one to finish, then attach this file again." });
    held[0]!.release();
    await held[0]!.done;
    await expect(save(me, 10)).resolves.toMatchObject({ size: 10 });
    expect(await quota.uploadUsage(me)).toMatchObject({ files: 4, inFlight: 2 });

    held[1]!.release();
    held[2]!.release();
    await Promise.all([held[1]!.done, held[2]!.done]);
    expect(await quota.uploadUsage(me)).toEqual({ files: 4, bytes: 40, inFlight: 0 });

    // An upload that breaks off (the browser closed) gives its reservation back at once, and leaves no file.
    const before = await filesOnDisk();
    const other = owner();
    const broken = store.saveUpload({ ownerId: other, name: "x", contentType: null, declaredBytes: 100, body: (async function* () {
      yield new Uint8Array(10);
      throw new Error("connection reset");
    })() });
    await expect(broken).rejects.toMatchObject({ status: 400, code: "UPLOAD_INTERRUPTED" });
    expect(await quota.uploadUsage(other)).toEqual({ files: 0, bytes: 0, inFlight: 0 });
    expect(await filesOnDisk()).toEqual(before);

    // A portal instance that died mid-upload: its lease runs out, the reservation counts no more and is swept.
    const dead = randomBytes(16).toString("hex");
    await quota.reserveUpload(other, dead, 100, dataDir);
    expect(await quota.uploadUsage(other)).toEqual({ files: 1, bytes: 100, inFlight: 1 });
    const { db } = await import("@/lib/db");
    await db().upload.update({ where: { id: dead }, data: { inFlightUntil: new Date(Date.now() - 1000) } });
    expect(await quota.uploadUsage(other)).toEqual({ files: 0, bytes: 0, inFlight: 0 });
    await store.sweepStaleUploads();
    expect(await db().upload.count({ where: { id: dead } })).toBe(0);

    // A client that stalled past its lease (swept meanwhile) and then finished: its file counts all the same.
    const slow = owner();
    const stalled = heldUpload(slow, 50);
    await stalled.decided;
    await db().upload.updateMany({ where: { ownerId: slow }, data: { inFlightUntil: new Date(Date.now() - 1000) } });
    await store.sweepStaleUploads();
    expect(await quota.uploadUsage(slow)).toEqual({ files: 0, bytes: 0, inFlight: 0 });
    stalled.release();
    await stalled.done;
    expect(await quota.uploadUsage(slow)).toEqual({ files: 1, bytes: 50, inFlight: 0 });
  });
});
