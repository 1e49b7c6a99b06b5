import "server-only";
import type { Prisma } from "@/generated/prisma/client";
import { db } from "../db";
import { AppError } from "../errors";
import { logError } from "../log";
import { EXCHANGE_LIMITS } from "../schemas/common";
import { kickSend } from "../outbox/worker";
import { queueSend, type QueueTx } from "../sends/queue-send";
import { asRunAttachment, releaseRunAttachment } from "./attachment";
import { renderHtml, renderSubject, type Fields } from "./template";

/**
 * The background step that moves recipients of running bulk runs into the outbox, in every portal
 * process (lib/bulk/worker.ts). For each running run it keeps at most `window` of the run's messages
 * in the outbox at once (not yet final), so a pause takes effect within a few messages and the
 * mailbox's other mail is not stuck behind a long run; the outbox paces them (30/min per mailbox).
 *
 * Exactly once, whatever runs twice or dies half-way:
 * - Recipients are claimed with FOR UPDATE SKIP LOCKED and a short lease, under a lock on the run row
 *   (FOR UPDATE SKIP LOCKED too), so two instances rarely pick the same recipient.
 * - Rarely is not never, so correctness rests on the database: each message is queued through the one
 *   queueing path (lib/sends/queue-send.ts), whose transaction also runs `record` below — it sets the
 *   recipient's `sendId` only while it is still unset and the run still running. A second attempt at
 *   the same recipient finds it set (the row lock makes it wait for the first to commit), throws, and
 *   its send is rolled back. A process killed mid-step leaves either both rows or neither.
 * - `record` holds the run row FOR SHARE: pausing or cancelling (an UPDATE of that row) waits for
 *   queueing transactions in progress and every later one sees the new status.
 */
export interface StepOptions {
  /** Messages of one run in the outbox (queued, sending, retrying) at most. */
  window: number;
  /** How long a claimed recipient is held by the step that claimed it. */
  leaseMs: number;
}

/**
 * Four in the outbox per run: as many as Outlook runs at once per mailbox (lib/schemas/common.ts), so the
 * outbox always has the next message at hand while a pause stops the run within four messages.
 */
export const DEFAULT_STEP: StepOptions = { window: EXCHANGE_LIMITS.concurrentRequests, leaseMs: 60_000 };

const OPEN = ["queued", "sending", "retrying"];

class NotQueued extends Error {}

interface Claimed {
  id: string;
  address: string;
  fields: Fields;
}

interface RunRow {
  id: string;
  tenantId: string;
  createdById: string;
  fromAddress: string;
  subject: string;
  html: string;
  ccAddresses: string[];
  attachment: Prisma.JsonValue;
}

/** Claims the next recipients of a running run, or [] when another instance is at it or the window is full. */
async function claim(runId: string, o: StepOptions): Promise<Claimed[]> {
  return db().$transaction(async (tx) => {
    const [run] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "BulkRun" WHERE id = ${runId} AND status = 'running' FOR UPDATE SKIP LOCKED`;
    if (!run) return [];
    const [{ n } = { n: 0 }] = await tx.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM "BulkRecipient" r LEFT JOIN "Send" s ON s.id = r."sendId"
      WHERE r."runId" = ${runId}
        AND ((r.status = 'queued' AND s.status::text = ANY(${OPEN})) OR (r.status = 'pending' AND r."leaseUntil" > now()))`;
    const room = o.window - n;
    if (room <= 0) return [];
    return tx.$queryRaw<Claimed[]>`
      UPDATE "BulkRecipient" SET "leaseUntil" = now() + ${o.leaseMs} * interval '1 millisecond'
      WHERE id IN (
        SELECT id FROM "BulkRecipient"
        WHERE "runId" = ${runId} AND status = 'pending' AND "sendId" IS NULL AND ("leaseUntil" IS NULL OR "leaseUntil" <= now())
        ORDER BY position LIMIT ${room} FOR UPDATE SKIP LOCKED)
      RETURNING id, address, fields`;
  });
}

/** Inside queue-send's transaction: the send belongs to this recipient, or nothing is queued. */
function record(recipientId: string, runId: string) {
  return async (tx: QueueTx, sendId: string) => {
    const [run] = await tx.$queryRaw<{ status: string }[]>`SELECT status::text AS status FROM "BulkRun" WHERE id = ${runId} FOR SHARE`;
    if (run?.status !== "running") throw new NotQueued();
    const n = await tx.$executeRaw`
      UPDATE "BulkRecipient" SET "sendId" = ${sendId}, status = 'queued', "queuedAt" = now(), "leaseUntil" = NULL, error = NULL
      WHERE id = ${recipientId} AND "sendId" IS NULL AND status = 'pending'`;
    if (n !== 1) throw new NotQueued();
  };
}

/** Refusals that concern the whole run (the grant, the mailbox, the tenant, the attachment): it stops. */
function stopsRun(err: AppError): boolean {
  if (err.status === 401 || err.status === 403 || err.code === "UPLOAD_NOT_FOUND" || err.code === "NOT_FOUND" || err.code === "invalid_grant") return true;
  const f = err.fields ?? {};
  return "from" in f || "mode" in f || "tenantId" in f || "actor" in f || "attachments" in f;
}

async function queueOne(run: RunRow, actor: { id: string; name: string | null; email: string; role: "admin" | "sender" | "auditor"; tenantId: string | null }, r: Claimed): Promise<"queued" | "skipped" | "refused" | "stopped"> {
  const attachment = asRunAttachment(run.attachment);
  try {
    const { id } = await queueSend(
      {
        actor, tenantId: run.tenantId, mode: "app", from: run.fromAddress, to: [r.address], cc: run.ccAddresses,
        subject: renderSubject(run.subject, r.fields), body: renderHtml(run.html, r.fields), bodyType: "html",
        attachments: attachment ? [{ id: attachment.id }] : [],
      },
      { origin: "bulk", bulk: { sharedUpload: attachment?.id, within: record(r.id, run.id) } },
    );
    kickSend(id);
    return "queued";
  } catch (err) {
    if (err instanceof NotQueued) {
      // Paused, cancelled, or queued by another step meanwhile: let go of it at once (a resume must not wait out the lease).
      await db().bulkRecipient.updateMany({ where: { id: r.id, status: "pending", sendId: null }, data: { leaseUntil: null } });
      return "skipped";
    }
    if (err instanceof AppError && stopsRun(err)) {
      await db().bulkRun.updateMany({ where: { id: run.id, status: "running" }, data: { status: "paused", stopReason: err.fields?.from ?? err.userMessage } });
      await db().bulkRecipient.updateMany({ where: { id: r.id, status: "pending" }, data: { leaseUntil: null } });
      return "stopped";
    }
    if (err instanceof AppError && err.status === 422) {
      // This recipient's message is invalid (e.g. a value made the subject too long): recorded, the run goes on.
      const why = Object.values(err.fields ?? {})[0] ?? err.userMessage;
      await db().bulkRecipient.updateMany({ where: { id: r.id, status: "pending", sendId: null }, data: { status: "refused", error: why, leaseUntil: null } });
      return "refused";
    }
    // Anything else (the database, a bug): the lease runs out and a later step tries again.
    logError(`bulk: run ${run.id} recipient ${r.id}`, err);
    return "skipped";
  }
}

/** Marks runs whose recipients are all handled and whose messages are final as done; frees ended runs' attachments. */
async function finishRuns(): Promise<void> {
  const ended = await db().$queryRaw<{ id: string; status: string; attachment: Prisma.JsonValue }[]>`
    SELECT b.id, b.status::text AS status, b.attachment FROM "BulkRun" b
    WHERE (b.status = 'running' AND NOT EXISTS (SELECT 1 FROM "BulkRecipient" r WHERE r."runId" = b.id AND r.status = 'pending'))
       OR (b.status IN ('cancelled', 'done') AND b.attachment IS NOT NULL AND NOT (b.attachment ? 'removed'))
    LIMIT 50`;
  for (const b of ended) {
    const open = await db().bulkRecipient.count({ where: { runId: b.id, status: "queued", send: { status: { in: ["queued", "sending", "retrying"] } } } });
    if (open > 0) continue;
    if (b.status === "running") {
      const n = await db().bulkRun.updateMany({ where: { id: b.id, status: "running", recipients: { none: { status: "pending" } } }, data: { status: "done", finishedAt: new Date() } });
      if (n.count === 0) continue;
    }
    const a = asRunAttachment(b.attachment);
    if (a && !a.removed) {
      await releaseRunAttachment(a);
      await db().bulkRun.update({ where: { id: b.id }, data: { attachment: { ...a, removed: true } as unknown as Prisma.InputJsonValue } });
    }
  }
}

/** One pass over the running runs (or one run). Returns how many recipients were queued. */
export async function queueBulkStep(over: Partial<StepOptions> = {}, onlyRun?: string): Promise<number> {
  const o = { ...DEFAULT_STEP, ...over };
  const runs = await db().bulkRun.findMany({
    where: { status: "running", ...(onlyRun ? { id: onlyRun } : {}) },
    select: { id: true, tenantId: true, createdById: true, fromAddress: true, subject: true, html: true, ccAddresses: true, attachment: true, createdBy: { select: { id: true, name: true, email: true, role: true, tenantId: true } } },
    orderBy: { startedAt: "asc" },
    take: 50,
  });
  let queued = 0;
  for (const run of runs) {
    const claimed = await claim(run.id, o);
    for (const [i, r] of claimed.entries()) {
      const result = await queueOne(run, run.createdBy, r);
      if (result === "queued") queued++;
      if (result === "stopped") {
        await db().bulkRecipient.updateMany({ where: { id: { in: claimed.slice(i).map((x) => x.id) }, status: "pending" }, data: { leaseUntil: null } });
        break;
      }
    }
  }
  await finishRuns();
  return queued;
}
