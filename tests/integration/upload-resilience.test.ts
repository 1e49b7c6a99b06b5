import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TestSandbox } from "m365-sandbox/helpers";
import { mailState } from "m365-sandbox/internal/exchange/mail-state";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
import type * as DbModule from "@/lib/db";
import type * as QueueSendModule from "@/lib/sends/queue-send";
import type * as UploadModule from "@/lib/sends/upload-store";
import type * as ClaimModule from "@/lib/outbox/claim";
import type * as ProcessModule from "@/lib/outbox/process-send";
import type * as OptionsModule from "@/lib/outbox/options";
import type * as StatusModule from "@/lib/sends/send-status";
import type { AppError } from "@/lib/errors";

// Large attachments through the real outbox path (claim → processSend → draft, upload session, send)
// against the in-process sandbox with its upload limits and one-shot upload faults (m365-sandbox, src/graph/upload-limits.ts).
let sb: TestSandbox;
let env: PortalEnv;
let tenantId: string;
const actor = { id: "", name: "Ada", email: "ada.upload@example.com", role: "admin" as const, tenantId: null as string | null };
const MB = 1024 * 1024;
const SMALL_LIMIT = "small.limit@contoso.sandbox";

let lib: {
  db: typeof DbModule.db;
  queueSend: typeof QueueSendModule.queueSend;
  saveUpload: typeof UploadModule.saveUpload;
  claimSends: typeof ClaimModule.claimSends;
  processSend: typeof ProcessModule.processSend;
  outboxOptions: typeof OptionsModule.outboxOptions;
  getSendStatus: typeof StatusModule.getSendStatus;
};

beforeAll(async () => {
  env = await startPortalEnv("upload-resilience", { senders: (e) => [e.mailboxes.shared, SMALL_LIMIT] });
  sb = env.sb;
  tenantId = env.tenantId;
  lib = {
    db: (await import("@/lib/db")).db,
    queueSend: (await import("@/lib/sends/queue-send")).queueSend,
    saveUpload: (await import("@/lib/sends/upload-store")).saveUpload,
    claimSends: (await import("@/lib/outbox/claim")).claimSends,
    processSend: (await import("@/lib/outbox/process-send")).processSend,
    outboxOptions: (await import("@/lib/outbox/options")).outboxOptions,
    getSendStatus: (await import("@/lib/sends/send-status")).getSendStatus,
  };
  // A mailbox whose MaxSendSize is 12 MB, inside the app's restriction.
  await sb.control("/seed", {
    users: [{ userPrincipalName: SMALL_LIMIT, displayName: "Small Limit", mailbox: { kind: "user", maxSendSize: 12 * MB } }],
    accessPolicies: [{ appId: sb.endpoints.app.clientId, accessRight: "RestrictAccess", scope: SMALL_LIMIT }],
  });
  actor.id = (await lib.db().user.create({ data: { email: actor.email, name: actor.name, role: "admin" } })).id;
  for (const m of await lib.db().senderMailbox.findMany({ where: { tenantId } })) await lib.db().senderGrant.create({ data: { mailboxId: m.id, userId: actor.id } });
});

afterAll(async () => env?.close());

beforeEach(async () => {
  await sb.control("/upload-limits", { uploadVolume: null, faults: null });
  await lib.db().tenant.update({ where: { id: tenantId }, data: { maxSendSizeBytes: 35 * MB } });
  await lib.db().send.deleteMany({});
  await lib.db().mailboxPace.deleteMany({});
});

const uniq = () => randomBytes(4).toString("hex");
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

async function upload(bytes: Buffer, name: string) {
  return lib.saveUpload({ ownerId: actor.id, name, contentType: "application/octet-stream", body: (async function* () {
    for (let i = 0; i < bytes.length; i += MB) yield bytes.subarray(i, i + MB);
  })() });
}

async function queueWith(bytes: Buffer, extra: Record<string, unknown> = {}) {
  const subject = `upload ${uniq()}`;
  const up = await upload(bytes, "pack.bin");
  const { id } = await lib.queueSend({ actor, tenantId, mode: "app", from: sb.endpoints.mailboxes.shared, to: sb.endpoints.mailboxes.allowed, subject, body: "<p>Pack attached</p>", attachments: [{ id: up.id }], ...extra });
  return { id, subject };
}

/** Claims and processes everything due (what OutboxWorker.poll does), with short upload backoffs. */
async function run() {
  const o = lib.outboxOptions({ leaseMs: 30_000, timeoutMs: 20_000, upload: { maxTries: 6, maxWaitMs: 10_000 } });
  const ids = await lib.claimSends("w-upload", { limit: 10, leaseMs: o.leaseMs, pace: o.pace });
  return Promise.all(ids.map((c) => lib.processSend(c.id, c.lease, o)));
}

async function delivered(subject: string) {
  const r = await sb.control<{ subject: string; attachments: { name: string; sha256: string }[] }[]>(`/messages?to=${encodeURIComponent(sb.endpoints.mailboxes.allowed)}&subject=${encodeURIComponent(subject)}`);
  return r.json.filter((m) => m.subject === subject);
}

const drafts = (subject: string) => [...mailState(sb.ctx.store).drafts.values()].filter((d) => d.content.subject === subject);

describe("uploads under throttling and broken connections", () => {
  it("a 429 with Retry-After on an upload PUT is waited out: the send is delivered and every try is in the log", async () => {
    // 5 MB per 2 s for this app and mailbox: the second 3.75 MiB range must wait.
    await sb.control("/upload-limits", { uploadVolume: { bytes: 5 * MB, windowSeconds: 2 } });
    const bytes = randomBytes(10 * MB);
    const { id, subject } = await queueWith(bytes);
    expect(await run()).toEqual(["accepted"]);
    const s = await lib.getSendStatus(actor, id);
    const tries = s.attempts.filter((a) => a.operation === "upload" && a.outcome === "retried");
    expect(tries.length).toBeGreaterThanOrEqual(1);
    for (const t of tries) {
      expect(t).toMatchObject({ httpStatus: 429, graphCode: "ApplicationThrottled" });
      expect(t.retryAfterMs).toBeGreaterThanOrEqual(1000);
      expect(t.message).toMatch(/^pack\.bin, bytes \d+-\d+\/10485760: HTTP 429/);
    }
    expect(s.attempts.filter((a) => a.operation === "upload" && a.outcome === "uploaded")).toHaveLength(1);
    const [m] = await delivered(subject);
    expect(m?.attachments.map((a) => a.sha256)).toEqual([sha(bytes)]);
    expect((await sb.control<{ throttled: number }>("/upload-limits", undefined, "GET")).json.throttled).toBe(tries.length);
  });

  it("a connection broken after a range was stored resumes from nextExpectedRanges, without sending that range again", async () => {
    // The range that reaches byte 4 MiB (the second one) is stored, then the connection drops unanswered.
    await sb.control("/upload-limits", { faults: { dropAfterCommitAtByte: 4 * MB } });
    const bytes = randomBytes(10 * MB);
    const { id, subject } = await queueWith(bytes);
    expect(await run()).toEqual(["accepted"]);
    const s = await lib.getSendStatus(actor, id);
    const second = 2 * 12 * 320 * 1024; // where the third range starts
    expect(s.attempts.filter((a) => a.outcome === "retried")).toEqual([
      expect.objectContaining({ operation: "upload", httpStatus: null, message: expect.stringMatching(new RegExp(`connection lost .*the session expects byte ${second} next$`)) }),
    ]);
    const [m] = await delivered(subject);
    expect(m?.attachments.map((a) => a.sha256)).toEqual([sha(bytes)]);
  });

  it("an upload session that expired mid-upload re-queues the send (stale draft deleted); the next try delivers it", async () => {
    await sb.control("/upload-limits", { faults: { expireAtByte: 4 * MB } });
    const bytes = randomBytes(10 * MB);
    const { id, subject } = await queueWith(bytes);
    expect(await run()).toEqual(["retry"]);
    let s = await lib.getSendStatus(actor, id);
    expect(s.status).toBe("retrying");
    expect(s.attempts.map((a) => `${a.operation}:${a.outcome}`)).toEqual(["createDraft:created", "createUploadSession:created", "upload:unavailable", "deleteDraft:deleted"]);
    expect(s.attempts[2]).toMatchObject({ httpStatus: 404, graphCode: "UploadSessionExpired" });
    expect(s.explanation?.title).toBe("The upload session expired");
    expect(drafts(subject)).toHaveLength(0);
    expect(await delivered(subject)).toHaveLength(0);

    await lib.db().$executeRaw`UPDATE "Send" SET "nextAttemptAt" = now() - interval '1 millisecond' WHERE id = ${id}`;
    expect(await run()).toEqual(["accepted"]);
    s = await lib.getSendStatus(actor, id);
    expect(s.status).toBe("accepted");
    const copies = await delivered(subject);
    expect(copies).toHaveLength(1);
    expect(copies[0]!.attachments.map((a) => a.sha256)).toEqual([sha(bytes)]);
  });
});

describe("message size, counted encoded", () => {
  it("a 27 MB attachment for a 35 MB mailbox is refused before any upload, with the encoded size explained", async () => {
    const up = await upload(randomBytes(27 * MB), "big.bin");
    const err = (await lib
      .queueSend({ actor, tenantId, mode: "app", from: sb.endpoints.mailboxes.shared, to: sb.endpoints.mailboxes.allowed, subject: `too big ${uniq()}`, body: "x", attachments: [{ id: up.id }] })
      .then(() => null, (e: unknown) => e)) as AppError | null;
    expect(err?.code).toBe("VALIDATION_FAILED");
    expect(err?.fields?.attachments).toMatch(/^Encoded for sending, this message is about 3[67](\.\d)? MB \(27 MB of attachments .*over the sender mailbox's limit of 35 MB/);
    expect(await lib.db().send.count()).toBe(0);
  });

  it("the worker refuses with the same estimate when the limit was lowered after queueing, before calling Graph", async () => {
    await lib.db().tenant.update({ where: { id: tenantId }, data: { maxSendSizeBytes: 40 * MB } });
    const { id } = await queueWith(randomBytes(27 * MB));
    await lib.db().tenant.update({ where: { id: tenantId }, data: { maxSendSizeBytes: 35 * MB } });
    expect(await run()).toEqual(["failed"]);
    const s = await lib.getSendStatus(actor, id);
    expect(s.attempts).toEqual([]);
    expect(s.explanation?.title).toBe("The message is too large for the mailbox");
    expect(s.explanation?.detail).toMatch(/Encoded for sending, this message is about 3[67](\.\d)? MB/);
  });

  it("ErrorMessageSizeExceeded in the middle of an upload is explained as the encoded size", async () => {
    // The portal's limit (35 MB) lets 10 MB through; the mailbox's real MaxSendSize is 12 MB, and 10 MB is about 13.4 MB encoded.
    const { id, subject } = await queueWith(randomBytes(10 * MB), { from: SMALL_LIMIT });
    expect(await run()).toEqual(["failed"]);
    const s = await lib.getSendStatus(actor, id);
    expect(s.attempts.map((a) => `${a.operation}:${a.outcome}`)).toEqual(["createDraft:created", "createUploadSession:created", "upload:failed", "deleteDraft:deleted"]);
    expect(s.attempts[2]).toMatchObject({ httpStatus: 400, graphCode: "ErrorMessageSizeExceeded" });
    expect(s.explanation?.title).toBe("The message is too large for the mailbox");
    expect(s.explanation?.detail).toMatch(/in the middle of uploading an attachment: encoded for sending it exceeds/);
    expect(drafts(subject)).toHaveLength(0);
  });
});
