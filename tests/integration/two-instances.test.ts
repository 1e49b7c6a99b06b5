/**
 * Several portal instances on one PostgreSQL (issue 16). This test process is instance A: it takes a 12 MB
 * file through the real REST handlers (POST /api/v1/uploads, POST /api/v1/messages) and runs no outbox
 * worker. Instances B and C are real processes of their own (scripts/portal-services.ts, as the Next server
 * starts them), each with its own empty PORTAL_DATA_DIR: all they share with A is the database.
 *
 * B claims the send and uploads the file to the sandbox's upload session; the sandbox's upload-volume
 * throttle makes it wait after the first 3.75 MiB range, while A reads B's progress from the database.
 * B is then killed with SIGKILL mid-upload. Its lease is made to lapse (120 s in production), C recovers
 * the send — nothing was sent yet, so it is queued again, by the outbox's rules — and delivers it: one
 * message in the inbox, with the byte-identical attachment, and the upload's bytes removed afterwards.
 */
import type { ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPortalInstance } from "../support/portal-instance";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
import type * as DbModule from "@/lib/db";
import type * as ProgressModule from "@/lib/outbox/progress";
import type * as StoreModule from "@/lib/sends/upload-store";

type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
const PORTAL = "https://portal-a.test";
const MB = 1024 * 1024;

let env: PortalEnv;
let db: typeof DbModule.db;
let readProgress: typeof ProgressModule.readProgress;
let readUpload: typeof StoreModule.readUpload;
let postUpload: Handler;
let postMessage: Handler;
const children: ChildProcess[] = [];
const dirs: string[] = [];

/** Another portal instance on the same database (tests/support/portal-instance.ts), killed and removed after. */
async function startInstance(name: string): Promise<ChildProcess> {
  const i = await startPortalInstance(name);
  children.push(i.child);
  dirs.push(i.dataDir);
  return i.child;
}

async function call<T>(handler: Handler, url: string, init: { key: string; body: BodyInit; contentType: string }): Promise<{ status: number; body: T }> {
  const req = new NextRequest(new URL(url, PORTAL), { method: "POST", headers: { authorization: `Bearer ${init.key}`, "content-type": init.contentType }, body: init.body });
  const res = await handler(req, { params: Promise.resolve({}) });
  return { status: res.status, body: (await res.json()) as T };
}

async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? String(x) : x))}`);
    await sleep(250);
  }
}

beforeAll(async () => {
  process.env.PORTAL_URL = PORTAL;
  // Instance A runs no worker: only B and C may send.
  process.env.PORTAL_OUTBOX_WORKER_CONCURRENCY = "0";
  env = await startPortalEnv("two-instances", { senders: (e) => [e.mailboxes.shared, e.mailboxes.allowed] });
  db = (await import("@/lib/db")).db;
  ({ readProgress } = await import("@/lib/outbox/progress"));
  ({ readUpload } = await import("@/lib/sends/upload-store"));
  postUpload = (await import("@/app/api/v1/uploads/route")).POST as Handler;
  postMessage = (await import("@/app/api/v1/messages/route")).POST as Handler;
}, 180_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await env?.sb.control("/upload-limits", { uploadVolume: null, faults: null }).catch(() => undefined);
  await env?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("two portal instances on one database", () => {
  it("a file uploaded through A is sent by C after B was killed mid-upload: once, byte-identical, bytes removed after", async () => {
    const { shared, allowed } = env.sb.endpoints.mailboxes;
    const { createApiKey } = await import("@/lib/api-keys/create-key");
    const u = await db().user.create({ data: { email: `admin.${randomBytes(4).toString("hex")}@example.com`, name: "Ada Admin", role: "admin" } });
    const mailbox = await db().senderMailbox.findFirstOrThrow({ where: { tenantId: env.tenantId, address: shared } });
    const key = await createApiKey({ id: u.id, name: u.name!, email: u.email, role: "admin", tenantId: null }, { tenantId: env.tenantId, name: "two-instances", mailboxIds: [mailbox.id] });

    // Instance A: the upload and the message, through the REST handlers.
    const bytes = randomBytes(12 * MB);
    const sha = createHash("sha256").update(bytes).digest("hex");
    const up = await call<{ id: string; sha256: string; size: number }>(postUpload, "/api/v1/uploads?name=pack.bin", { key: key.secret, body: new Blob([new Uint8Array(bytes)]), contentType: "application/octet-stream" });
    expect(up.status).toBe(201);
    expect(up.body.sha256).toBe(sha);
    // The bytes are in the database, not on A's disk.
    expect(existsSync(path.join(env.dataDir, "uploads"))).toBe(false);
    expect(Number((await db().$queryRaw<{ n: bigint }[]>`SELECT sum(octet_length("data")) AS n FROM "UploadChunk" WHERE "uploadId" = ${up.body.id}`)[0]!.n)).toBe(bytes.length);

    // After the first 3.75 MiB range, Microsoft (the sandbox) asks to wait half a minute.
    await env.sb.control("/upload-limits", { uploadVolume: { bytes: 4 * MB, windowSeconds: 30 } });
    const subject = `two instances ${randomBytes(4).toString("hex")}`;
    const msg = await call<{ id: string }>(postMessage, "/api/v1/messages", {
      key: key.secret,
      contentType: "application/json",
      body: JSON.stringify({ from: { emailAddress: { address: shared } }, subject, body: { contentType: "Text", content: "Sent by another instance." }, toRecipients: [{ emailAddress: { address: allowed } }], attachmentIds: [up.body.id] }),
    });
    expect(msg.status).toBe(202);
    const sendId = msg.body.id;

    // Instance B sends; A sees its progress (from the database) mid-upload.
    const b = await startInstance("b");
    const progress = await until("B's upload progress", () => readProgress(sendId), (p) => (p?.uploadedBytes ?? 0) > 0, 120_000);
    expect(progress!.totalBytes).toBe(bytes.length);
    expect(progress!.uploadedBytes).toBeLessThan(bytes.length);
    const held = await db().send.findUniqueOrThrow({ where: { id: sendId }, select: { status: true, workerId: true } });
    expect(held.status).toBe("sending");

    // B dies mid-upload. Nothing was sent: its lease lapses (made to lapse now) and the send is recovered.
    b.kill("SIGKILL");
    await new Promise((r) => b.once("exit", r));
    expect(await readUpload(up.body.id)).not.toBeNull();
    await env.sb.control("/upload-limits", { uploadVolume: null });
    await db().send.update({ where: { id: sendId }, data: { lockedUntil: new Date(Date.now() - 1000) } });

    await startInstance("c");
    const done = await until("C's delivery", () => db().send.findUniqueOrThrow({ where: { id: sendId }, select: { status: true, workerId: true } }), (s) => ["accepted", "failed", "uncertain"].includes(s.status), 180_000);
    expect(done.status).toBe("accepted");

    const inbox = await env.sb.control<{ subject: string; attachments: { name: string; sha256: string }[] }[]>(`/messages?to=${encodeURIComponent(allowed)}&subject=${encodeURIComponent(subject)}`);
    const copies = inbox.json.filter((m) => m.subject === subject);
    expect(copies).toHaveLength(1);
    expect(copies[0]!.attachments.map((a) => [a.name, a.sha256])).toEqual([["pack.bin", sha]]);

    // Two tries in the log (B's, cut off, and C's), and nothing left behind: bytes, description, progress.
    const attempts = await db().sendAttempt.findMany({ where: { sendId }, orderBy: { number: "asc" }, select: { operation: true, outcome: true } });
    expect(attempts.filter((a) => a.operation === "createDraft")).toHaveLength(2);
    expect(attempts.filter((a) => a.operation === "send" && a.outcome === "accepted")).toHaveLength(1);
    await until("the upload's removal", () => readUpload(up.body.id), (m) => m === null, 10_000);
    expect(await db().uploadChunk.count({ where: { uploadId: up.body.id } })).toBe(0);
    expect(await readProgress(sendId)).toBeNull();
  }, 600_000);
});
