import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TestSandbox } from "m365-sandbox/helpers";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
// Types only: the modules themselves are imported after the environment is set (env() reads it once).
import type * as DbModule from "@/lib/db";
import type * as QueueSendModule from "@/lib/sends/queue-send";
import type * as UploadModule from "@/lib/sends/upload-store";
import type * as ClaimModule from "@/lib/outbox/claim";
import type * as ProcessModule from "@/lib/outbox/process-send";
import type * as OptionsModule from "@/lib/outbox/options";
import type * as StatusModule from "@/lib/sends/send-status";

// The outbox against real PostgreSQL and the in-process sandbox tenant, with the real MSAL and Graph SDK.
let sb: TestSandbox;
let env: PortalEnv;
let tenantId: string;
const actor = { id: "", name: "Ada", email: "ada@example.com", role: "admin" as const, tenantId: null as string | null };

type Lib = {
  db: typeof DbModule.db;
  queueSend: typeof QueueSendModule.queueSend;
  saveUpload: typeof UploadModule.saveUpload;
  claimSends: typeof ClaimModule.claimSends;
  processSend: typeof ProcessModule.processSend;
  outboxOptions: typeof OptionsModule.outboxOptions;
  getSendStatus: typeof StatusModule.getSendStatus;
};
let lib: Lib;

beforeAll(async () => {
  env = await startPortalEnv("outbox", {
    senders: (e) => [e.mailboxes.shared, e.mailboxes.allowed, e.mailboxes.outsidePolicy, "big.limit@contoso.sandbox"],
  });
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
  actor.id = (await lib.db().user.create({ data: { email: actor.email, name: actor.name, role: "admin" } })).id;
  // Admins are granted nothing implicitly: this one is granted every sender mailbox of the tenant.
  for (const m of await lib.db().senderMailbox.findMany({ where: { tenantId } })) await lib.db().senderGrant.create({ data: { mailboxId: m.id, userId: actor.id } });
});

afterAll(async () => env?.close());

beforeEach(async () => {
  await sb.control("/faults", { rate: 0, latencyMs: 0 });
  await sb.control("/faults", { rate: 0, latencyMs: 0, mailbox: sb.endpoints.mailboxes.shared });
  await lib.db().send.deleteMany({});
  await lib.db().mailboxPace.deleteMany({});
});

const uniq = () => randomBytes(4).toString("hex");
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

async function upload(bytes: Buffer, name: string) {
  return lib.saveUpload({ ownerId: actor.id, name, contentType: "application/octet-stream", body: (async function* () {
    for (let i = 0; i < bytes.length; i += 1 << 20) yield bytes.subarray(i, i + (1 << 20));
  })() });
}

async function queue(extra: Record<string, unknown> = {}) {
  const e = sb.endpoints;
  return lib.queueSend({ actor, tenantId, mode: "app", from: e.mailboxes.shared, to: e.mailboxes.allowed, subject: `outbox ${uniq()}`, body: "<p>Hello</p>", ...extra });
}

/** Claims and processes everything due with one worker id (what OutboxWorker.poll does). */
async function run(opts: Partial<Parameters<Lib["outboxOptions"]>[0]> = {}, only?: string) {
  const o = lib.outboxOptions({ leaseMs: 30_000, timeoutMs: 20_000, ...opts });
  const ids = await lib.claimSends("w-test", { limit: 10, leaseMs: o.leaseMs, pace: o.pace, only });
  return Promise.all(ids.map((c) => lib.processSend(c.id, c.lease, o)));
}

async function delivered(to: string, subject: string) {
  const r = await sb.control<{ subject: string; cc: unknown; attachments: { name: string; sha256: string; size: number }[]; folder: string }[]>(`/messages?to=${encodeURIComponent(to)}&subject=${encodeURIComponent(subject)}`);
  return r.json.filter((m) => m.subject === subject);
}

describe("outbox", () => {
  it("sends inline (< 3 MB) with Cc, an attachment and an x-header, and logs the attempt with its request-id", async () => {
    const bytes = randomBytes(1024 * 1024);
    const up = await upload(bytes, "../../etc/report.bin");
    expect(up.name).toBe("report.bin");
    const subject = `inline ${uniq()}`;
    const { id } = await queue({ subject, cc: `Lee <${sb.endpoints.mailboxes.allowed}>`, attachments: [{ id: up.id }], headers: [{ name: "X-Campaign", value: "welcome" }] });
    expect(await run()).toEqual(["accepted"]);
    const s = await lib.getSendStatus(actor, id);
    expect(s.status).toBe("accepted");
    expect(s.attempts).toEqual([expect.objectContaining({ number: 1, operation: "sendMail", httpStatus: 202, outcome: "accepted", requestId: expect.stringMatching(/\S/), clientRequestId: expect.stringMatching(/\S/) })]);
    const [m] = await delivered(sb.endpoints.mailboxes.allowed, subject);
    expect(m?.attachments).toEqual([expect.objectContaining({ name: "report.bin", sha256: sha(bytes) })]);
  });

  it("refuses bad input per field, CRLF in the subject and header values, and a sender outside the allowed list", async () => {
    await expect(queue({ subject: "a\r\nBcc: evil@x.com" })).rejects.toMatchObject({ status: 422, fields: { subject: expect.stringMatching(/line breaks/) } });
    await expect(queue({ headers: [{ name: "X-A", value: "1\r\nX-B: 2" }] })).rejects.toMatchObject({ fields: { "headers.0.value": expect.stringMatching(/line breaks/) } });
    await expect(queue({ headers: [{ name: "Subject", value: "x" }] })).rejects.toMatchObject({ fields: { "headers.0.name": expect.stringMatching(/x-/) } });
    await expect(queue({ to: "not-an-address; ok@contoso.sandbox" })).rejects.toMatchObject({ fields: { to: expect.stringMatching(/not-an-address/) } });
    await expect(queue({ from: "someone.else@contoso.sandbox" })).rejects.toMatchObject({ fields: { from: expect.stringMatching(/not a sender mailbox/) } });
  });

  it("two workers claiming at once never take the same send", async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 12; i++) ids.add((await queue({ from: i % 2 ? sb.endpoints.mailboxes.shared : sb.endpoints.mailboxes.allowed })).id);
    const pace = { perMinute: 1000, concurrent: 100, recipientsPerDay: 100000 };
    const claims = await Promise.all(["a", "b", "a2", "b2"].map((w) => lib.claimSends(`w-${w}`, { limit: 5, leaseMs: 30_000, pace })));
    const all = claims.flat().map((c) => c.id);
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(12);
    const rows = await lib.db().send.findMany({ where: { id: { in: [...ids] } }, select: { status: true, workerId: true } });
    expect(rows.every((r) => r.status === "sending" && r.workerId)).toBe(true);
  });

  it("paces per mailbox: messages per minute and concurrent requests", async () => {
    const a = await queue();
    const b = await queue();
    const c = await queue();
    const claimed = await lib.claimSends("w-pace", { limit: 10, leaseMs: 30_000, pace: { perMinute: 2, concurrent: 4, recipientsPerDay: 10_000 } });
    expect(claimed.map((c) => c.id)).toEqual([a.id, b.id]);
    const waiting = await lib.db().send.findUniqueOrThrow({ where: { id: c.id } });
    expect(waiting.status).toBe("queued");
    expect(waiting.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now() + 50_000);
    const pace = await lib.db().mailboxPace.findFirstOrThrow({ where: { tenantId, address: sb.endpoints.mailboxes.shared } });
    expect(pace.sentInWindow).toBe(2);

    await lib.db().mailboxPace.deleteMany({});
    await lib.db().send.update({ where: { id: c.id }, data: { nextAttemptAt: null } });
    // Two of this mailbox's sends are in flight: with a limit of 2 concurrent, the third waits.
    expect(await lib.claimSends("w-pace", { limit: 10, leaseMs: 30_000, pace: { perMinute: 30, concurrent: 2, recipientsPerDay: 10_000 } })).toEqual([]);
  });

  it("honours Retry-After on 429: retrying with the wait logged, then accepted on the next try", async () => {
    await sb.control("/faults", { rate: 1, statuses: [429], retryAfterSeconds: 2, mailbox: sb.endpoints.mailboxes.shared });
    const subject = `throttled ${uniq()}`;
    const { id } = await queue({ subject });
    expect(await run()).toEqual(["retry"]);
    let s = await lib.getSendStatus(actor, id);
    expect(s.status).toBe("retrying");
    expect(s.retryInSeconds).toBeGreaterThanOrEqual(1);
    expect(s.retryInSeconds).toBeLessThanOrEqual(2);
    expect(s.attempts[0]).toMatchObject({ operation: "sendMail", httpStatus: 429, graphCode: "ApplicationThrottled", retryAfterMs: 2000, outcome: "throttled" });
    expect(s.explanation?.title).toMatch(/throttling/);
    expect(await run()).toEqual([]); // not due yet
    await sb.control("/faults", { rate: 0, mailbox: sb.endpoints.mailboxes.shared });
    // The wait is over: moved on the send's clock (SQL), not slept through.
    await lib.db().$executeRaw`UPDATE "Send" SET "nextAttemptAt" = now() - interval '1 millisecond' WHERE id = ${id}`;
    expect(await run()).toEqual(["accepted"]);
    s = await lib.getSendStatus(actor, id);
    expect(s.attempts.map((a) => a.outcome)).toEqual(["throttled", "accepted"]);
    expect(await delivered(sb.endpoints.mailboxes.allowed, subject)).toHaveLength(1);
  });

  it("a client timeout after the request left makes the send uncertain, and it is never resent", async () => {
    await sb.control("/faults", { rate: 0, latencyMs: 1500, mailbox: sb.endpoints.mailboxes.shared });
    const { id } = await queue();
    expect(await run({ timeoutMs: 300 })).toEqual(["uncertain"]);
    const s = await lib.getSendStatus(actor, id);
    expect(s.status).toBe("uncertain");
    expect(s.attempts).toEqual([expect.objectContaining({ operation: "sendMail", outcome: "uncertain", httpStatus: null })]);
    expect(s.explanation?.title).toMatch(/may have been sent/);
    expect(await lib.claimSends("w-again", { limit: 10, leaseMs: 30_000, pace: lib.outboxOptions().pace })).toEqual([]);
  });

  it("sends a large attachment through a draft and an upload session, byte-identical", async () => {
    const bytes = randomBytes(9 * 1024 * 1024 + 123);
    const small = randomBytes(200 * 1024);
    const big = await upload(bytes, "big.bin");
    const little = await upload(small, "little.bin");
    const subject = `large ${uniq()}`;
    const { id } = await queue({ subject, attachments: [{ id: big.id }, { id: little.id }] });
    expect(await run()).toEqual(["accepted"]);
    const s = await lib.getSendStatus(actor, id);
    expect(s.attempts.map((a) => a.operation)).toEqual(["createDraft", "createUploadSession", "upload", "attachment", "send"]);
    const [m] = await delivered(sb.endpoints.mailboxes.allowed, subject);
    expect(m?.attachments.map((a) => [a.name, a.sha256]).sort()).toEqual([["big.bin", sha(bytes)], ["little.bin", sha(small)]]);
  });

  it("a failed upload never sends the draft and deletes it", async () => {
    // A mailbox whose MaxSendSize is 8 MB: the second large attachment's upload session is refused.
    await sb.control("/seed", {
      users: [{ userPrincipalName: "big.limit@contoso.sandbox", displayName: "Big Limit", mailbox: { kind: "user", maxSendSize: 8 * 1024 * 1024 } }],
      accessPolicies: [{ appId: sb.endpoints.app.clientId, accessRight: "RestrictAccess", scope: "big.limit@contoso.sandbox" }],
    });
    const one = await upload(randomBytes(5 * 1024 * 1024), "one.bin");
    const two = await upload(randomBytes(4 * 1024 * 1024), "two.bin");
    const subject = `too big ${uniq()}`;
    const { id } = await queue({ subject, from: "big.limit@contoso.sandbox", attachments: [{ id: one.id }, { id: two.id }] });
    expect(await run()).toEqual(["failed"]);
    const s = await lib.getSendStatus(actor, id);
    expect(s.attempts.map((a) => `${a.operation}:${a.outcome}`)).toEqual(["createDraft:created", "createUploadSession:created", "upload:uploaded", "createUploadSession:failed", "deleteDraft:deleted"]);
    expect(s.explanation?.title).toMatch(/too large/);
    expect(await delivered(sb.endpoints.mailboxes.allowed, subject)).toHaveLength(0);
    const drafts = await sb.control<{ subject: string }[]>(`/messages?folder=all&subject=${encodeURIComponent(subject)}`);
    expect(drafts.json).toHaveLength(0);
    const row = await lib.db().send.findUniqueOrThrow({ where: { id } });
    expect(row.draftId).toBeNull();
  });

  it("explains a policy denial (403) with the request-id", async () => {
    const { id } = await queue({ from: sb.endpoints.mailboxes.outsidePolicy });
    expect(await run()).toEqual(["failed"]);
    const s = await lib.getSendStatus(actor, id);
    expect(s.explanation?.title).toBe("This mailbox is outside the app's restriction");
    expect(s.requestId).toMatch(/\S/);
  });
});
