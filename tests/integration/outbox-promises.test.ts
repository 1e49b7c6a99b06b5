import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TestSandbox } from "m365-sandbox/helpers";
import { mailState } from "m365-sandbox/internal/exchange/mail-state";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
// Types only: the modules themselves are imported after the environment is set (env() reads it once).
import type * as DbModule from "@/lib/db";
import type * as QueueSendModule from "@/lib/sends/queue-send";
import type * as UploadModule from "@/lib/sends/upload-store";
import type * as ClaimModule from "@/lib/outbox/claim";
import type * as ProcessModule from "@/lib/outbox/process-send";
import type * as OptionsModule from "@/lib/outbox/options";
import type * as RecoverModule from "@/lib/outbox/recover";
import type * as WorkerModule from "@/lib/outbox/worker";
import type * as AttemptsModule from "@/lib/outbox/attempts";
import type * as FinishModule from "@/lib/outbox/finish-send";
import type * as DeliverModule from "@/lib/outbox/deliver";
import type * as StatusModule from "@/lib/sends/send-status";
import type * as AccessModule from "@/lib/graph/tenant-access";
import type * as TokensModule from "@/lib/graph/tokens";
import type * as ClientModule from "@/lib/graph/client";

/**
 * The outbox's own promises, proved through delivery into the sandbox's mailboxes (real PostgreSQL, MSAL
 * and Graph SDK): exactly one copy per send with two workers; a try whose lease expired and was recovered
 * writes nothing; lease recovery's two branches; "timed out after the request left" (uncertain, never
 * resent) against "no connection was made" (retried); request-size boundaries; Retry-After forms and the
 * try limit. Time is moved with SQL (a lease or a retry made due), never slept through.
 */
let sb: TestSandbox;
let env: PortalEnv;
let tenantId: string;
const actor = { id: "", name: "Ada", email: "ada.promises@example.com", role: "admin" as const, tenantId: null as string | null };

type Lib = {
  db: typeof DbModule.db;
  queueSend: typeof QueueSendModule.queueSend;
  saveUpload: typeof UploadModule.saveUpload;
  claimSends: typeof ClaimModule.claimSends;
  renewLease: typeof ClaimModule.renewLease;
  processSend: typeof ProcessModule.processSend;
  outboxOptions: typeof OptionsModule.outboxOptions;
  backoffMs: typeof OptionsModule.backoffMs;
  recover: typeof RecoverModule.recoverExpiredLeases;
  OutboxWorker: typeof WorkerModule.OutboxWorker;
  startAttempt: typeof AttemptsModule.startAttempt;
  LeaseLost: typeof AttemptsModule.LeaseLost;
  finishSend: typeof FinishModule.finishSend;
  deliver: typeof DeliverModule.deliver;
  getSendStatus: typeof StatusModule.getSendStatus;
  loadTenantAccess: typeof AccessModule.loadTenantAccess;
  appToken: typeof TokensModule.appToken;
  graphClient: typeof ClientModule.graphClient;
};
let lib: Lib;

beforeAll(async () => {
  env = await startPortalEnv("outbox-promises", { senders: (e) => [e.mailboxes.shared, e.mailboxes.allowed] });
  sb = env.sb;
  tenantId = env.tenantId;
  const claim = await import("@/lib/outbox/claim");
  const options = await import("@/lib/outbox/options");
  const attempts = await import("@/lib/outbox/attempts");
  lib = {
    db: (await import("@/lib/db")).db,
    queueSend: (await import("@/lib/sends/queue-send")).queueSend,
    saveUpload: (await import("@/lib/sends/upload-store")).saveUpload,
    claimSends: claim.claimSends,
    renewLease: claim.renewLease,
    processSend: (await import("@/lib/outbox/process-send")).processSend,
    outboxOptions: options.outboxOptions,
    backoffMs: options.backoffMs,
    recover: (await import("@/lib/outbox/recover")).recoverExpiredLeases,
    OutboxWorker: (await import("@/lib/outbox/worker")).OutboxWorker,
    startAttempt: attempts.startAttempt,
    LeaseLost: attempts.LeaseLost,
    finishSend: (await import("@/lib/outbox/finish-send")).finishSend,
    deliver: (await import("@/lib/outbox/deliver")).deliver,
    getSendStatus: (await import("@/lib/sends/send-status")).getSendStatus,
    loadTenantAccess: (await import("@/lib/graph/tenant-access")).loadTenantAccess,
    appToken: (await import("@/lib/graph/tokens")).appToken,
    graphClient: (await import("@/lib/graph/client")).graphClient,
  };
  actor.id = (await lib.db().user.create({ data: { email: actor.email, name: actor.name, role: "admin" } })).id;
  for (const m of await lib.db().senderMailbox.findMany({ where: { tenantId } })) await lib.db().senderGrant.create({ data: { mailboxId: m.id, userId: actor.id } });
});

afterAll(async () => env?.close());

beforeEach(async () => {
  await sb.control("/faults", { rate: 0, latencyMs: 0, responseDelayMs: 0 });
  await lib.db().send.deleteMany({});
  await lib.db().mailboxPace.deleteMany({});
});

const uniq = () => randomBytes(4).toString("hex");
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const PACE = { perMinute: 1000, concurrent: 100, recipientsPerDay: 100_000 };
const OPTS = { leaseMs: 30_000, timeoutMs: 20_000 };

async function upload(bytes: Buffer, name: string) {
  return lib.saveUpload({ ownerId: actor.id, name, contentType: "application/octet-stream", body: (async function* () {
    for (let i = 0; i < bytes.length; i += 1 << 20) yield bytes.subarray(i, i + (1 << 20));
  })() });
}

async function queue(extra: Record<string, unknown> = {}) {
  const e = sb.endpoints;
  return lib.queueSend({ actor, tenantId, mode: "app", from: e.mailboxes.shared, to: e.mailboxes.allowed, subject: `promise ${uniq()}`, body: "<p>Hello</p>", ...extra });
}

/** One claim of one send by a named worker. */
async function claimOne(worker: string, id: string) {
  const claims = await lib.claimSends(worker, { limit: 1, leaseMs: OPTS.leaseMs, pace: PACE, only: id });
  expect(claims).toHaveLength(1);
  return claims[0]!;
}

/** Claims and processes everything due (what OutboxWorker.poll does). */
async function run(opts: Partial<Parameters<Lib["outboxOptions"]>[0]> = {}) {
  const o = lib.outboxOptions({ ...OPTS, ...opts });
  const claims = await lib.claimSends("w-run", { limit: 10, leaseMs: o.leaseMs, pace: PACE });
  return Promise.all(claims.map((c) => lib.processSend(c.id, c.lease, o)));
}

/** The lease ran out: the clock is moved on the send (SQL), not waited for. */
async function expireLease(id: string) {
  await lib.db().$executeRaw`UPDATE "Send" SET "lockedUntil" = now() - interval '1 second' WHERE id = ${id}`;
}

/** A retry becomes due now (instead of sleeping through Retry-After). */
async function makeDue(id: string) {
  await lib.db().$executeRaw`UPDATE "Send" SET "nextAttemptAt" = now() - interval '1 millisecond' WHERE id = ${id}`;
}

/** Barrier: resolves once `cond` holds (checked on each turn of a short poll; vitest's timeout bounds it). */
async function until(cond: () => Promise<boolean>) {
  while (!(await cond())) await new Promise((r) => setTimeout(r, 10));
}

const pendingAttempt = (id: string, operation: string) => async () =>
  (await lib.db().sendAttempt.count({ where: { sendId: id, operation, outcome: "pending" } })) === 1;

async function copies(subject: string, to = sb.endpoints.mailboxes.allowed) {
  const r = await sb.control<{ subject: string; attachments: { name: string; sha256: string; size: number }[]; body: { content: string } }[]>(
    `/messages?to=${encodeURIComponent(to)}&subject=${encodeURIComponent(subject)}`,
  );
  return r.json.filter((m) => m.subject === subject);
}

const drafts = (subject: string) => [...mailState(sb.ctx.store).drafts.values()].filter((d) => d.content.subject === subject);

async function attemptsOf(id: string) {
  return lib.db().sendAttempt.findMany({ where: { sendId: id }, orderBy: { number: "asc" }, select: { number: true, operation: true, outcome: true, httpStatus: true, graphCode: true, retryAfterMs: true } });
}

describe("exactly once, through delivery", () => {
  it("two workers on one batch of 40 sends deliver exactly one copy of each", async () => {
    const e = sb.endpoints;
    const tag = uniq();
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push((await queue({ subject: `batch ${tag} ${i}`, from: i % 2 ? e.mailboxes.shared : e.mailboxes.allowed })).id);
    // The default per-mailbox pacing (4 in flight), shared by both workers through the database.
    const workers = [new lib.OutboxWorker({ ...OPTS, concurrency: 6 }), new lib.OutboxWorker({ ...OPTS, concurrency: 6 })];
    const final = async () => (await lib.db().send.count({ where: { id: { in: ids }, status: { in: ["accepted", "failed", "uncertain"] } } })) === ids.length;
    while (!(await final())) {
      await Promise.all(workers.map((w) => w.poll()));
      await Promise.all(workers.map((w) => w.idle()));
    }
    const rows = await lib.db().send.findMany({ where: { id: { in: ids } }, select: { status: true, workerId: true, lockedUntil: true } });
    expect(rows.every((r) => r.status === "accepted" && r.workerId === null && r.lockedUntil === null)).toBe(true);
    const accepted = await lib.db().sendAttempt.groupBy({ by: ["sendId"], where: { sendId: { in: ids }, outcome: "accepted" }, _count: true });
    expect(accepted.map((a) => a._count)).toEqual(ids.map(() => 1));
    const inbox = (await sb.control<{ subject: string }[]>(`/messages?to=${encodeURIComponent(e.mailboxes.allowed)}&subject=${encodeURIComponent(`batch ${tag} `)}`)).json;
    const perSubject = new Map<string, number>();
    for (const m of inbox) perSubject.set(m.subject, (perSubject.get(m.subject) ?? 0) + 1);
    expect(perSubject.size).toBe(40);
    expect([...perSubject.values()].every((n) => n === 1)).toBe(true);
  }, 120_000);
});

describe("a try whose lease expired and was recovered writes nothing", () => {
  it("the same worker claims the send again: the stale claim's result, attempt, lease renewal and draft are all refused", async () => {
    const subject = `stale ${uniq()}`;
    const { id } = await queue({ subject });
    const a = await claimOne("w-same", id);
    await expireLease(id);
    expect(await lib.recover()).toEqual({ uncertain: 0, requeued: 1 });
    const b = await claimOne("w-same", id); // the same worker id, a new claim
    expect(b.lease).not.toBe(a.lease);
    expect(await lib.processSend(id, b.lease, lib.outboxOptions(OPTS))).toBe("accepted");

    // The stale claim: every write is refused.
    expect(await lib.processSend(id, a.lease, lib.outboxOptions(OPTS))).toBe("skipped");
    expect(await lib.finishSend(id, a.lease, { kind: "failed", code: "STALE", message: "written by a stale try" })).toBe(false);
    await expect(lib.startAttempt(id, a.lease, "sendMail")).rejects.toBeInstanceOf(lib.LeaseLost);
    expect(await lib.renewLease(id, a.lease, 30_000)).toBe(false);

    const row = await lib.db().send.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: "accepted", errorCode: null, errorMessage: null, workerId: null });
    expect((await attemptsOf(id)).map((x) => `${x.operation}:${x.outcome}`)).toEqual(["sendMail:accepted"]);
    expect(await copies(subject)).toHaveLength(1);
  });

  it("a try stalled in a Graph call loses its lease: it stops, deletes its draft, and the new claim's result stands", async () => {
    // The draft path (3 MiB of attachment), so the stalled call (createDraft) is not a send call.
    const bytes = randomBytes(3 * 1024 * 1024);
    const up = await upload(bytes, "stall.bin");
    const subject = `stalled ${uniq()}`;
    const { id } = await queue({ subject, attachments: [{ id: up.id }] });
    const a = await claimOne("w-same", id);
    // The sandbox holds every Graph request 4 s: A's createDraft is in flight while its lease is recovered.
    await sb.control("/faults", { rate: 0, latencyMs: 4_000 });
    const stale = lib.processSend(id, a.lease, lib.outboxOptions(OPTS));
    await until(pendingAttempt(id, "createDraft"));
    await expireLease(id);
    expect(await lib.recover()).toEqual({ uncertain: 0, requeued: 1 }); // no send call had started
    await sb.control("/faults", { rate: 0, latencyMs: 0 });
    const b = await claimOne("w-same", id);
    const [staleResult, freshResult] = await Promise.all([stale, lib.processSend(id, b.lease, lib.outboxOptions(OPTS))]);
    expect(freshResult).toBe("accepted");
    expect(staleResult).toBe("lost");

    const row = await lib.db().send.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: "accepted", errorCode: null, workerId: null });
    // The stale try's createDraft stays "abandoned" (recovery's word); everything after it is B's.
    expect((await attemptsOf(id)).map((x) => `${x.operation}:${x.outcome}`)).toEqual([
      "createDraft:abandoned", "createDraft:created", "createUploadSession:created", "upload:uploaded", "send:accepted",
    ]);
    const [m, ...more] = await copies(subject);
    expect(more).toHaveLength(0);
    expect(m!.attachments.map((x) => x.sha256)).toEqual([sha(bytes)]);
    expect(drafts(subject)).toHaveLength(0); // A's draft was deleted, never sent
  }, 60_000);
});

describe("lease recovery", () => {
  it("a pending sendMail makes the send uncertain; after the lease, recovery and the worker, the mailbox still holds exactly one copy", async () => {
    const subject = `pending ${uniq()}`;
    const { id } = await queue({ subject });
    const a = await claimOne("w-crashed", id);
    await sb.control("/faults", { rate: 0, latencyMs: 4_000 });
    const stalled = lib.processSend(id, a.lease, lib.outboxOptions(OPTS));
    await until(pendingAttempt(id, "sendMail"));
    await expireLease(id);
    expect(await lib.recover()).toEqual({ uncertain: 1, requeued: 0 });
    await sb.control("/faults", { rate: 0, latencyMs: 0 });
    expect(await run()).toEqual([]); // never claimed again
    expect(await stalled).toBe("lost"); // Microsoft accepted it meanwhile; the stale try writes nothing
    expect(await copies(subject)).toHaveLength(1);

    // Later runs: recovery and the worker still leave it alone.
    expect(await lib.recover()).toEqual({ uncertain: 0, requeued: 0 });
    expect(await run()).toEqual([]);
    expect(await copies(subject)).toHaveLength(1);
    const s = await lib.getSendStatus(actor, id);
    expect(s.status).toBe("uncertain");
    expect(s.explanation?.title).toMatch(/may have been sent/);
    expect(s.attempts.map((x) => `${x.operation}:${x.outcome}`)).toEqual(["sendMail:abandoned"]);
  }, 30_000);

  it("no Graph call started: the send is requeued and sent once", async () => {
    const subject = `requeue ${uniq()}`;
    const { id } = await queue({ subject });
    const a = await claimOne("w-crashed", id); // the worker dies before its first call
    await expireLease(id);
    expect(await lib.recover()).toEqual({ uncertain: 0, requeued: 1 });
    expect((await lib.db().send.findUniqueOrThrow({ where: { id } })).status).toBe("retrying");
    expect(await run()).toEqual(["accepted"]);
    expect(await lib.processSend(id, a.lease, lib.outboxOptions(OPTS))).toBe("skipped");
    expect(await lib.recover()).toEqual({ uncertain: 0, requeued: 0 });
    expect(await run()).toEqual([]);
    expect(await copies(subject)).toHaveLength(1);
    expect((await attemptsOf(id)).map((x) => `${x.operation}:${x.outcome}`)).toEqual(["sendMail:accepted"]);
  });
});

describe("lease recovery after Graph's 202", () => {
  it("the worker died after logging Graph's 202 but before writing the result: the send is accepted, never requeued (no second copy)", async () => {
    const { finishAttempt } = await import("@/lib/outbox/attempts");
    const { id } = await queue();
    const a = await claimOne("w-died-after-202", id);
    const attempt = await lib.startAttempt(id, a.lease, "sendMail");
    await finishAttempt(attempt.id, { durationMs: 40, httpStatus: 202, outcome: "accepted" }); // then the process died
    await expireLease(id);
    await lib.recover();
    expect(await lib.db().send.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "accepted", workerId: null, completedAt: expect.any(Date) });
    expect(await run()).toEqual([]);
    expect((await attemptsOf(id)).map((x) => `${x.operation}:${x.outcome}`)).toEqual(["sendMail:accepted"]);
  });
});

describe("timed out after the request left, or never connected", () => {
  it("a client timeout after the request left: uncertain, delivered once by Microsoft, never resent", async () => {
    const subject = `timeout ${uniq()}`;
    // The sandbox handles the sendMail at once (the message is delivered) and answers 1 s later.
    await sb.control("/faults", { rate: 0, responseDelayMs: 1_000 });
    const { id } = await queue({ subject });
    expect(await run({ timeoutMs: 200 })).toEqual(["uncertain"]);
    expect(await attemptsOf(id)).toEqual([expect.objectContaining({ operation: "sendMail", outcome: "uncertain", httpStatus: null })]);
    expect(await copies(subject)).toHaveLength(1);
    await sb.control("/faults", { rate: 0 });
    expect(await lib.recover()).toEqual({ uncertain: 0, requeued: 0 });
    expect(await run()).toEqual([]);
    expect(await copies(subject)).toHaveLength(1);
    expect((await lib.db().send.findUniqueOrThrow({ where: { id } })).status).toBe("uncertain");
  }, 30_000);

  it("no connection was made (a closed port): safe to try again, and the retry sends exactly one copy", async () => {
    const subject = `refused ${uniq()}`;
    const { id } = await queue({ subject });
    const c = await claimOne("w-refused", id);
    // A Graph host that refuses connections: a port that was just free.
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, "127.0.0.1", () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const t = await lib.loadTenantAccess(tenantId);
    const token = (await lib.appToken(t)).accessToken;
    const client = lib.graphClient({ graphUrl: `https://127.0.0.1:${port}` }, async () => token);
    const row = await lib.db().send.findUniqueOrThrow({ where: { id } });
    const d = await lib.deliver(id, c.lease, row, client, `/users/${encodeURIComponent(row.fromAddress)}`, 5_000);
    expect(d).toMatchObject({ kind: "retry", code: "NotConnected" });
    expect(await lib.finishSend(id, c.lease, d)).toBe(true);
    expect(await attemptsOf(id)).toEqual([expect.objectContaining({ operation: "sendMail", outcome: "network", graphCode: "NotConnected", httpStatus: null })]);
    expect((await lib.db().send.findUniqueOrThrow({ where: { id } })).status).toBe("retrying");
    expect(await copies(subject)).toHaveLength(0);

    await makeDue(id);
    expect(await run()).toEqual(["accepted"]);
    expect(await copies(subject)).toHaveLength(1);
    expect((await attemptsOf(id)).map((x) => `${x.operation}:${x.outcome}`)).toEqual(["sendMail:network", "sendMail:accepted"]);
  });
});

describe("request size boundaries", () => {
  it("an attachment of 3 MiB − 1 byte is accepted and delivered (too big for a 4 MB sendMail as base64: draft + upload session)", async () => {
    const bytes = randomBytes(3 * 1024 * 1024 - 1);
    const up = await upload(bytes, "edge.bin");
    const subject = `edge ${uniq()}`;
    const { id } = await queue({ subject, attachments: [{ id: up.id }] });
    expect(await run()).toEqual(["accepted"]);
    expect((await attemptsOf(id)).map((x) => `${x.operation}:${x.outcome}`)).toEqual(["createDraft:created", "createUploadSession:created", "upload:uploaded", "send:accepted"]);
    const [m, ...more] = await copies(subject);
    expect(more).toHaveLength(0);
    expect(m!.attachments).toEqual([expect.objectContaining({ name: "edge.bin", size: bytes.length, sha256: sha(bytes) })]);
  }, 60_000);

  it("a 2 MiB attachment with a 1.5 MB body is accepted and delivered (draft, then the attachment in one POST)", async () => {
    const bytes = randomBytes(2 * 1024 * 1024);
    const up = await upload(bytes, "two.bin");
    const subject = `body ${uniq()}`;
    const body = `<p>${"x".repeat(1_500_000)}</p>`;
    const { id } = await queue({ subject, body, attachments: [{ id: up.id }] });
    expect(await run()).toEqual(["accepted"]);
    expect((await attemptsOf(id)).map((x) => `${x.operation}:${x.outcome}`)).toEqual(["createDraft:created", "attachment:created", "send:accepted"]);
    const [m, ...more] = await copies(subject);
    expect(more).toHaveLength(0);
    expect(m!.attachments).toEqual([expect.objectContaining({ name: "two.bin", sha256: sha(bytes) })]);
    expect(m!.body.content).toContain("x".repeat(1_500_000));
  }, 60_000);

  it("a small attachment still goes inline in one sendMail", async () => {
    const bytes = randomBytes(2 * 1024 * 1024);
    const up = await upload(bytes, "inline.bin");
    const subject = `inline ${uniq()}`;
    const { id } = await queue({ subject, attachments: [{ id: up.id }] });
    expect(await run()).toEqual(["accepted"]);
    expect((await attemptsOf(id)).map((x) => x.operation)).toEqual(["sendMail"]);
    expect((await copies(subject))[0]!.attachments[0]!.sha256).toBe(sha(bytes));
  }, 60_000);
});

describe("Retry-After and the try limit", () => {
  it("Retry-After as an HTTP date on 429 sets the wait", async () => {
    await sb.control("/faults", { rate: 1, statuses: [429], retryAfterSeconds: 30, retryAfterFormat: "http-date" });
    const { id } = await queue();
    const before = Date.now();
    expect(await run()).toEqual(["retry"]);
    const [a] = await attemptsOf(id);
    expect(a).toMatchObject({ operation: "sendMail", httpStatus: 429, outcome: "throttled" });
    // An HTTP date has whole seconds: the wait is 29–30 s.
    expect(a!.retryAfterMs).toBeGreaterThanOrEqual(28_000);
    expect(a!.retryAfterMs).toBeLessThanOrEqual(30_000);
    const row = await lib.db().send.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe("retrying");
    expect(row.nextAttemptAt!.getTime() - before).toBeGreaterThanOrEqual(28_000);
    expect(row.nextAttemptAt!.getTime() - Date.now()).toBeLessThanOrEqual(30_000);
  });

  it("503 with Retry-After in seconds: unavailable, retried after the wait, then accepted", async () => {
    await sb.control("/faults", { rate: 1, statuses: [503], retryAfterSeconds: 7 });
    const subject = `unavailable ${uniq()}`;
    const { id } = await queue({ subject });
    const before = Date.now();
    expect(await run()).toEqual(["retry"]);
    expect(await attemptsOf(id)).toEqual([expect.objectContaining({ operation: "sendMail", httpStatus: 503, outcome: "unavailable", retryAfterMs: 7_000, graphCode: "serviceNotAvailable" })]);
    const row = await lib.db().send.findUniqueOrThrow({ where: { id } });
    expect(row.nextAttemptAt!.getTime() - before).toBeGreaterThanOrEqual(7_000);
    expect(await run()).toEqual([]); // not due yet
    await sb.control("/faults", { rate: 0 });
    await makeDue(id);
    expect(await run()).toEqual(["accepted"]);
    expect(await copies(subject)).toHaveLength(1);
  });

  it("no Retry-After: exponential backoff (2 s, then 4 s)", async () => {
    await sb.control("/faults", { rate: 1, statuses: [503], retryAfterSeconds: 0 });
    const { id } = await queue();
    for (const tries of [1, 2]) {
      const before = Date.now();
      expect(await run()).toEqual(["retry"]);
      const row = await lib.db().send.findUniqueOrThrow({ where: { id } });
      const wait = row.nextAttemptAt!.getTime() - before;
      expect(wait).toBeGreaterThanOrEqual(lib.backoffMs(tries));
      expect(wait).toBeLessThan(lib.backoffMs(tries) + 5_000);
      await makeDue(id);
    }
    expect(lib.backoffMs(1)).toBe(2_000);
    expect(lib.backoffMs(2)).toBe(4_000);
    expect((await attemptsOf(id)).map((a) => a.retryAfterMs)).toEqual([null, null]);
  });

  it("the try limit: after maxTransientTries tries that met an outage the send fails with the reason, and nothing was delivered", async () => {
    await sb.control("/faults", { rate: 1, statuses: [503], retryAfterSeconds: 1 });
    const subject = `limit ${uniq()}`;
    const { id } = await queue({ subject });
    expect(await run({ maxTransientTries: 3 })).toEqual(["retry"]);
    await makeDue(id);
    expect(await run({ maxTransientTries: 3 })).toEqual(["retry"]);
    await makeDue(id);
    expect(await run({ maxTransientTries: 3 })).toEqual(["failed"]);
    await makeDue(id);
    expect(await run({ maxTransientTries: 3 })).toEqual([]); // failed is final
    const s = await lib.getSendStatus(actor, id);
    expect(s.status).toBe("failed");
    expect((await lib.db().send.findUniqueOrThrow({ where: { id } })).errorMessage).toMatch(/gave up after 3 tries/);
    expect(s.attempts.map((a) => a.outcome)).toEqual(["unavailable", "unavailable", "unavailable"]);
    expect(await copies(subject)).toHaveLength(0);
  });

  it("throttling never uses up the try budget: a throttled send is retried past maxTransientTries, and fails only once throttled for longer than maxThrottledMs", async () => {
    await sb.control("/faults", { rate: 1, statuses: [429], retryAfterSeconds: 1 });
    const subject = `throttled limit ${uniq()}`;
    const { id } = await queue({ subject });
    const o = { maxTransientTries: 2, maxThrottledMs: 3_600_000 };
    for (let i = 0; i < 5; i++) {
      expect(await run(o)).toEqual(["retry"]);
      await makeDue(id);
    }
    // The first 429 was an hour ago (moved on the attempt's clock, not waited for): the next one ends it.
    await lib.db().$executeRaw`UPDATE "SendAttempt" SET "startedAt" = now() - interval '61 minutes' WHERE "sendId" = ${id} AND number = (SELECT min(number) FROM "SendAttempt" WHERE "sendId" = ${id} AND outcome = 'throttled')`;
    expect(await run(o)).toEqual(["failed"]);
    const s = await lib.getSendStatus(actor, id);
    expect(s.status).toBe("failed");
    expect(s.errorCode).toBe("ApplicationThrottled");
    expect((await lib.db().send.findUniqueOrThrow({ where: { id } })).errorMessage).toMatch(/still throttled after 1 hours \(6 tries\); gave up/);
    expect(s.explanation?.title).toMatch(/throttl/i);
    expect(s.attempts.map((a) => a.outcome)).toEqual(Array(6).fill("throttled"));
    expect(await copies(subject)).toHaveLength(0);
  });

  it("a send throttled many times in a row is still delivered once the mailbox has room again", async () => {
    await sb.control("/faults", { rate: 1, statuses: [429], retryAfterSeconds: 1 });
    const subject = `busy mailbox ${uniq()}`;
    const { id } = await queue({ subject });
    for (let i = 0; i < 8; i++) {
      expect(await run({ maxTransientTries: 6 })).toEqual(["retry"]);
      await makeDue(id);
    }
    await sb.control("/faults", { rate: 0 });
    // The sandbox's own 30-a-minute window for the mailbox is full of this file's earlier sends: a minute on
    // its clock empties it.
    await sb.control("/clock", { advanceSeconds: 61 });
    expect(await run({ maxTransientTries: 6 })).toEqual(["accepted"]);
    expect(await copies(subject)).toHaveLength(1);
  });
});
