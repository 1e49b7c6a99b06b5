/**
 * PORTAL_UPLOAD_STORE=s3 (issue 16): attachment bytes in S3-compatible object storage instead of PostgreSQL.
 * The store is the real AWS SDK (client-s3 and lib-storage's managed upload) against s3rver, an
 * S3-compatible server speaking the S3 REST protocol on loopback — the same role the sandbox plays for Graph.
 *
 * This test process is instance A (REST handlers, no worker). Instance B is a process of its own
 * (scripts/portal-services.ts) with its own empty data folder: it shares only the database and the bucket
 * with A, claims the send and uploads the file to Graph — so the bytes it sends came from the bucket.
 */
import type { ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CreateBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { NextRequest } from "next/server";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPortalInstance } from "../support/portal-instance";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
import type * as DbModule from "@/lib/db";

type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
const PORTAL = "https://portal-s3.test";
const MB = 1024 * 1024;
const BUCKET = "gmp-attachments";
const PREFIX = "tenant-a/uploads/";

let env: PortalEnv;
let db: typeof DbModule.db;
let s3dir: string;
let server: S3rver;
let s3: S3Client;
const children: ChildProcess[] = [];
const dirs: string[] = [];

async function objectKeys(): Promise<string[]> {
  const r = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: PREFIX }));
  return (r.Contents ?? []).map((o) => o.Key!).sort();
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of stream) parts.push(Buffer.from(p as Buffer));
  return Buffer.concat(parts);
}

async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await sleep(250);
  }
}

beforeAll(async () => {
  s3dir = mkdtempSync(path.join(tmpdir(), "gmp-s3rver-"));
  server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: s3dir });
  const { port } = (await server.run()) as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  // s3rver's fixed credentials; a real deployment gives the AWS SDK's usual chain its own.
  Object.assign(process.env, {
    PORTAL_UPLOAD_STORE: "s3", PORTAL_S3_BUCKET: BUCKET, PORTAL_S3_PREFIX: PREFIX, PORTAL_S3_ENDPOINT: endpoint, PORTAL_S3_FORCE_PATH_STYLE: "true",
    AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER", PORTAL_URL: PORTAL, PORTAL_OUTBOX_WORKER_CONCURRENCY: "0",
    // A local-disk floor no disk meets (1 PB): it guards the disk bytes land on, which is not the bucket's.
    PORTAL_UPLOAD_MIN_FREE_MB: "1000000000",
  });
  s3 = new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true, credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  env = await startPortalEnv("s3-store", { senders: (e) => [e.mailboxes.shared] });
  db = (await import("@/lib/db")).db;
}, 180_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await env?.close();
  await server?.close();
  for (const d of [s3dir, ...dirs]) if (d) rmSync(d, { recursive: true, force: true });
  for (const k of ["PORTAL_UPLOAD_MIN_FREE_MB", "PORTAL_UPLOAD_STORE", "PORTAL_S3_BUCKET", "PORTAL_S3_PREFIX", "PORTAL_S3_ENDPOINT", "PORTAL_S3_FORCE_PATH_STYLE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) delete process.env[k];
});

describe("attachment bytes in S3-compatible object storage", () => {
  it("stores an upload as one object (multipart above 5 MiB), reads any range of it, and reports missing bytes", async () => {
    const { saveUpload, uploadSource, removeUpload } = await import("@/lib/sends/upload-store");
    const { uploadStore } = await import("@/lib/uploads/store");
    const bytes = randomBytes(12 * MB + 321);
    // Arrives in 64 KiB pieces, as a request body does.
    async function* body() {
      for (let i = 0; i < bytes.length; i += 64 * 1024) yield bytes.subarray(i, i + 64 * 1024);
    }
    const meta = await saveUpload({ ownerId: "s3-test", name: "scan.pdf", contentType: "application/pdf", body: body() });
    expect(meta.size).toBe(bytes.length);
    expect(meta.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(await objectKeys()).toEqual([`${PREFIX}${meta.id}`]);
    expect((await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}${meta.id}` }))).ContentLength).toBe(bytes.length);
    // Nothing in PostgreSQL but the row.
    expect(await db().uploadChunk.count({ where: { uploadId: meta.id } })).toBe(0);

    // Whole, and in Graph-sized ranges (3.75 MiB) that cross the 5 MiB part boundaries, and the last short one.
    expect((await readAll(uploadSource(meta.id).open())).equals(bytes)).toBe(true);
    const RANGE = 12 * 320 * 1024;
    for (let start = 0; start < bytes.length; start += RANGE) {
      const end = Math.min(start + RANGE, bytes.length) - 1;
      expect((await readAll(uploadSource(meta.id).open({ start, end }))).equals(bytes.subarray(start, end + 1))).toBe(true);
    }
    // A range past the end names what is missing instead of sending a short attachment.
    await expect(readAll(uploadSource(meta.id).open({ start: bytes.length - 10, end: bytes.length + 99 }))).rejects.toThrow(`bytes from ${bytes.length} are missing from the store`);
    await expect(readAll(uploadSource(meta.id).open({ start: bytes.length + 5, end: bytes.length + 99 }))).rejects.toThrow(`bytes from ${bytes.length + 5} are missing from the store`);
    expect(await uploadStore().storedBytes(meta.id)).toBe(bytes.length);

    await removeUpload(meta.id);
    expect(await objectKeys()).toEqual([]);
    expect(await uploadStore().storedBytes(meta.id)).toBe(0);
    await uploadStore().remove(meta.id); // twice: harmless
    await expect(readAll(uploadSource(meta.id).open())).rejects.toThrow(/missing from the store/);

    // A 1 KB message is a single PutObject, read back the same.
    const small = randomBytes(1024);
    const m2 = await saveUpload({ ownerId: "s3-test", name: "note.txt", contentType: "text/plain", body: (async function* () { yield small; })() });
    expect((await readAll(uploadSource(m2.id).open())).equals(small)).toBe(true);
    await removeUpload(m2.id);
  }, 120_000);

  it("the sweep removes objects whose Upload row is gone (an instance that died mid-upload), and keeps the rest", async () => {
    const { saveUpload, removeUpload } = await import("@/lib/sends/upload-store");
    const { uploadStore } = await import("@/lib/uploads/store");
    const kept = await saveUpload({ ownerId: "s3-test", name: "kept.bin", contentType: null, body: (async function* () { yield randomBytes(2048); })() });
    const orphan = randomBytes(16).toString("hex");
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}${orphan}`, Body: randomBytes(100) }));
    // Outside the portal's prefix: never the portal's to remove.
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `someone-else/${orphan}`, Body: "keep" }));
    expect(await uploadStore().sweepOrphans()).toBe(1);
    expect(await objectKeys()).toEqual([`${PREFIX}${kept.id}`]);
    expect((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "someone-else/" }))).KeyCount).toBe(1);
    await removeUpload(kept.id);
  }, 60_000);

  it("a file uploaded through instance A is sent by instance B from the bucket: byte-identical, object removed after", async () => {
    const { shared } = env.sb.endpoints.mailboxes;
    const { createApiKey } = await import("@/lib/api-keys/create-key");
    const postUpload = (await import("@/app/api/v1/uploads/route")).POST as Handler;
    const postMessage = (await import("@/app/api/v1/messages/route")).POST as Handler;
    const call = async <T,>(handler: Handler, url: string, init: { key: string; body: BodyInit; contentType: string }) => {
      const req = new NextRequest(new URL(url, PORTAL), { method: "POST", headers: { authorization: `Bearer ${init.key}`, "content-type": init.contentType }, body: init.body });
      const res = await handler(req, { params: Promise.resolve({}) });
      return { status: res.status, body: (await res.json()) as T };
    };
    const u = await db().user.create({ data: { email: `admin.${randomBytes(4).toString("hex")}@example.com`, name: "Ada Admin", role: "admin" } });
    const mailbox = await db().senderMailbox.findFirstOrThrow({ where: { tenantId: env.tenantId, address: shared } });
    const key = await createApiKey({ id: u.id, name: u.name!, email: u.email, role: "admin", tenantId: null }, { tenantId: env.tenantId, name: "s3-store", mailboxIds: [mailbox.id] });

    const bytes = randomBytes(7 * MB);
    const sha = createHash("sha256").update(bytes).digest("hex");
    const up = await call<{ id: string; sha256: string }>(postUpload, "/api/v1/uploads?name=scan.pdf", { key: key.secret, body: new Blob([new Uint8Array(bytes)]), contentType: "application/pdf" });
    expect(up.status).toBe(201);
    expect(up.body.sha256).toBe(sha);
    expect(await objectKeys()).toEqual([`${PREFIX}${up.body.id}`]);

    const subject = `from the bucket ${randomBytes(4).toString("hex")}`;
    const msg = await call<{ id: string }>(postMessage, "/api/v1/messages", {
      key: key.secret,
      contentType: "application/json",
      body: JSON.stringify({ from: { emailAddress: { address: shared } }, subject, body: { contentType: "Text", content: "Sent by another instance." }, toRecipients: [{ emailAddress: { address: shared } }], attachmentIds: [up.body.id] }),
    });
    expect(msg.status).toBe(202);

    // Instance B: its own empty data folder, the same database and bucket (inherited settings), worker on.
    const b = await startPortalInstance("s3");
    children.push(b.child);
    dirs.push(b.dataDir);

    const done = await until("B's delivery", () => db().send.findUniqueOrThrow({ where: { id: msg.body.id }, select: { status: true } }), (s) => ["accepted", "failed", "uncertain"].includes(s.status), 180_000);
    expect(done.status, b.output().slice(-2000)).toBe("accepted");
    const inbox = await env.sb.control<{ subject: string; attachments: { name: string; sha256: string }[] }[]>(`/messages?to=${encodeURIComponent(shared)}&subject=${encodeURIComponent(subject)}`);
    const copies = inbox.json.filter((m) => m.subject === subject);
    expect(copies).toHaveLength(1);
    expect(copies[0]!.attachments.map((a) => [a.name, a.sha256])).toEqual([["scan.pdf", sha]]);
    await until("the object's removal", objectKeys, (keys) => keys.length === 0, 15_000);
  }, 300_000);
});
