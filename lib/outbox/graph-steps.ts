import "server-only";
import type { Client } from "@microsoft/microsoft-graph-client";
import { graphCall, isTransientStatus, type CallOutcome } from "../graph/send-call";
import { NOT_CONNECTED } from "../graph/errors";
import { finishAttempt, SENDING_OPERATIONS, startAttempt, type Operation } from "./attempts";

/**
 * The Graph calls of one try as logged steps, shared by the JSON path (deliver.ts) and the device MIME
 * path (deliver-mime.ts): every call is a SendAttempt written before it leaves, and its outcome is
 * classified the same way — transient (retry), permanent (failed), or possibly sent (uncertain, never resent).
 */
export type Delivery =
  | { kind: "accepted" }
  | { kind: "retry"; afterMs: number | null; code: string | null; message: string | null }
  | { kind: "failed"; code: string; message: string | null }
  | { kind: "uncertain"; message: string };

export interface Ctx {
  sendId: string;
  /** The claim's lease token (claim.ts): every attempt and the draft id are written under it. */
  lease: string;
  client: Client;
  base: string;
  timeoutMs: number;
}

function outcomeOf(op: Operation, r: CallOutcome): string {
  if (r.ok) return op === "sendMail" || op === "send" ? "accepted" : op === "deleteDraft" ? "deleted" : "created";
  if (r.failure?.network) return SENDING_OPERATIONS.includes(op) && !r.failure.notConnected ? "uncertain" : "network";
  if (r.status === 429) return "throttled";
  if (isTransientStatus(r.status)) return "unavailable";
  return "failed";
}

export async function logged(c: Ctx, op: Operation, method: "POST" | "DELETE", path: string, body?: unknown, opts: { contentType?: string; note?: string } = {}): Promise<CallOutcome> {
  const a = await startAttempt(c.sendId, c.lease, op);
  const r = await graphCall(c.client, { method, path, body, contentType: opts.contentType, timeoutMs: c.timeoutMs });
  const message = r.failure?.message ?? (opts.note || null);
  await finishAttempt(a.id, {
    durationMs: r.durationMs, httpStatus: r.status, graphCode: r.failure?.graphCode, message,
    requestId: r.requestId, clientRequestId: r.clientRequestId, retryAfterMs: r.retryAfterMs, outcome: outcomeOf(op, r),
  });
  return r;
}

export function classify(op: Operation, r: CallOutcome, timeoutMs: number): Delivery {
  const f = r.failure;
  if (f?.network) {
    // No connection was made (lib/graph/client.ts): nothing reached Microsoft, so trying again is safe.
    if (f.notConnected) return { kind: "retry", afterMs: null, code: NOT_CONNECTED, message: f.message ?? "no connection" };
    if (SENDING_OPERATIONS.includes(op)) {
      return { kind: "uncertain", message: `No answer from Microsoft within ${Math.round(timeoutMs / 1000)} s after the message was handed over (${f.message ?? "network error"}).` };
    }
    return { kind: "retry", afterMs: null, code: "NETWORK", message: f.message ?? "network error" };
  }
  if (isTransientStatus(r.status)) return { kind: "retry", afterMs: r.retryAfterMs, code: f?.graphCode ?? `HTTP_${r.status}`, message: f?.message ?? null };
  return { kind: "failed", code: f?.graphCode ?? `HTTP_${r.status}`, message: f?.message ?? null };
}
