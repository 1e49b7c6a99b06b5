import "server-only";
import { randomUUID } from "node:crypto";
import { db } from "../db";
import { logInfo } from "../log";
import { metrics } from "../metrics/registry";

/**
 * SendAttempt rows: written `pending` BEFORE each Graph call and completed after it, so a crash in
 * between still shows that a call may have left (lease recovery turns a pending send call into
 * `uncertain`, never into a resend).
 *
 * An attempt is started only under the claim's lease (claim.ts): the check, the attempt number and the
 * pending row are one statement, so lease recovery (recover.ts) either runs first — and the try stops
 * with LeaseLost before any call leaves — or sees the pending row. A finished attempt is written only
 * while it is still pending: recovery's `abandoned` is not overwritten by a stale try.
 */
export type Operation = "policy" | "token" | "sendMail" | "createDraft" | "attachment" | "createUploadSession" | "upload" | "send" | "deleteDraft";

export const SENDING_OPERATIONS: Operation[] = ["sendMail", "send"];

export interface AttemptFacts {
  durationMs: number;
  httpStatus?: number | null;
  graphCode?: string | null;
  message?: string | null;
  requestId?: string | null;
  clientRequestId?: string | null;
  retryAfterMs?: number | null;
  outcome: string;
}

/** The claim's lease expired and the send was recovered (or claimed again): this try must stop. */
export class LeaseLost extends Error {
  constructor(readonly sendId: string) {
    super(`outbox: the lease on send ${sendId} was lost`);
  }
}

export async function startAttempt(sendId: string, lease: string, operation: Operation): Promise<{ id: string; number: number }> {
  const [row] = await db().$queryRaw<{ id: string; number: number }[]>`
    WITH s AS (
      UPDATE "Send" SET "attemptCount" = "attemptCount" + 1, "updatedAt" = now()
      WHERE id = ${sendId} AND "workerId" = ${lease} AND status = 'sending' AND "lockedUntil" > now()
      RETURNING "attemptCount"
    )
    INSERT INTO "SendAttempt" (id, "sendId", number, "startedAt", operation, outcome)
    SELECT ${randomUUID()}, ${sendId}, "attemptCount", now(), ${operation}, 'pending' FROM s
    RETURNING id, number`;
  if (!row) throw new LeaseLost(sendId);
  return row;
}

export async function finishAttempt(id: string, f: AttemptFacts): Promise<void> {
  // One statement: the attempt is completed only while still pending, and says which call and mailbox it
  // was for, for the log line and the metrics below.
  const [done] = await db().$queryRaw<{ operation: string | null; sendId: string; fromAddress: string; tenantId: string }[]>`
    UPDATE "SendAttempt" a SET
      "durationMs" = ${f.durationMs}, "httpStatus" = ${f.httpStatus ?? null}, "graphCode" = ${f.graphCode ?? null},
      message = ${f.message ? f.message.slice(0, 1000) : null}, "requestId" = ${f.requestId ?? null},
      "clientRequestId" = ${f.clientRequestId ?? null}, "retryAfterMs" = ${f.retryAfterMs ?? null}, outcome = ${f.outcome}
    FROM "Send" s
    WHERE a.id = ${id} AND a.outcome = 'pending' AND s.id = a."sendId"
    RETURNING a.operation, a."sendId", s."fromAddress", s."tenantId"`;
  if (!done || done.operation === "policy") return;
  const mailbox = done.fromAddress.toLowerCase();
  const m = metrics();
  m.graphRequests.observe({ operation: done.operation ?? "unknown", outcome: f.outcome, mailbox }, f.durationMs / 1000);
  if (f.httpStatus === 429) m.graphThrottled.inc({ mailbox });
  // The line that ties a send (and the request that queued it, logged as send.queued) to Microsoft's ids.
  logInfo(`graph ${done.operation ?? "call"} ${f.outcome}`, {
    event: "graph.call", sendId: done.sendId, tenantId: done.tenantId, operation: done.operation, httpStatus: f.httpStatus ?? null,
    graphCode: f.graphCode ?? null, durationMs: f.durationMs, graphRequestId: f.requestId ?? null, clientRequestId: f.clientRequestId ?? null,
  });
}

/**
 * What the retry limits look at (process-send.ts): the tries that failed with an outage or a network
 * error, the throttled ones and when the first of those was, and how the latest try ended.
 */
export async function retryHistory(sendId: string): Promise<{ transient: number; throttled: number; firstThrottledAt: Date | null; last: string | null }> {
  const [r] = await db().$queryRaw<{ transient: number; throttled: number; first: Date | null; last: string | null }[]>`
    SELECT count(*) FILTER (WHERE outcome IN ('unavailable', 'network'))::int AS transient,
           count(*) FILTER (WHERE outcome = 'throttled')::int AS throttled,
           min("startedAt") FILTER (WHERE outcome = 'throttled') AS first,
           (SELECT outcome FROM "SendAttempt" WHERE "sendId" = ${sendId} ORDER BY number DESC LIMIT 1) AS last
    FROM "SendAttempt" WHERE "sendId" = ${sendId}`;
  return { transient: r?.transient ?? 0, throttled: r?.throttled ?? 0, firstThrottledAt: r?.first ?? null, last: r?.last ?? null };
}
