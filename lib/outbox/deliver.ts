import "server-only";
import { readFile, stat } from "node:fs/promises";
import type { Client } from "@microsoft/microsoft-graph-client";
import { graphCall, isTransientStatus, type CallOutcome } from "../graph/send-call";
import { fileAttachment, graphMessage, type StoredMessage } from "../graph/send-message";
import { UploadFailed, UploadSessionExpired, uploadFileToSession, type RangeTry } from "../graph/upload-session";
import { graphFailure, NOT_CONNECTED } from "../graph/errors";
import { uploadPath } from "../sends/upload-store";
import type { AttachmentRecord } from "../sends/queue-send";
import { db } from "../db";
import { estimateEncodedSize, overLimitMessage } from "../sends/encoded-size";
import { DEFAULT_MAILBOX_LIMIT } from "../schemas/compose";
import { finishAttempt, LeaseLost, SENDING_OPERATIONS, startAttempt, type Operation } from "./attempts";
import { renewLease } from "./claim";
import { progressMap } from "./progress";

/**
 * The Graph calls of one try, each logged as a SendAttempt. When the sendMail request *as sent* (JSON,
 * attachments base64) stays under MAX_REQUEST_BYTES: one sendMail with inline fileAttachments.
 * Otherwise Graph's large-attachment flow: draft → each file whose attachment POST fits the same limit
 * as an attachment, the others through an upload session (streamed from disk) → send. When anything
 * fails after the draft exists, the draft is deleted, so a half-built message is never sent.
 *
 * Graph refuses requests over 4 MB as sent (learn.microsoft.com/graph/outlook-large-attachments), so the
 * decision is made on the serialized size with a margin under 4,000,000 bytes, not on the raw bytes: a
 * 3 MiB − 1 byte file is about 4.2 MB in base64. Upload sessions are refused for small files
 * (ErrorAttachmentSizeShouldNotBeLessThanMinimumSize, same page); a file whose POST would exceed the
 * limit is at least about 2.9 MB, above the 2,097,152 bytes observed as the minimum
 * (github.com/microsoftgraph/msgraph-sdk-java/pull/52, comment of 2020-08-20 — observed, not documented).
 */
export const MAX_REQUEST_BYTES = 4_000_000;

const base64Length = (bytes: number) => 4 * Math.ceil(bytes / 3);

/** Bytes of a JSON request holding `shape` (with empty contentBytes) once each file's base64 is in it. */
function serializedSize(shape: unknown, fileBytes: number[]): number {
  return Buffer.byteLength(JSON.stringify(shape)) + fileBytes.reduce((n, b) => n + base64Length(b), 0);
}
export type Delivery =
  | { kind: "accepted" }
  | { kind: "retry"; afterMs: number | null; code: string | null; message: string | null }
  | { kind: "failed"; code: string; message: string | null }
  | { kind: "uncertain"; message: string };

/** What a try needs besides the message: the lease length (renewed during long waits) and the size limit. */
export interface DeliverOptions {
  leaseMs: number;
  /** The sender mailbox's message size limit as the portal knows it (Tenant.maxSendSizeBytes). */
  maxSendSizeBytes: number;
  /** Upload-range retries (lib/graph/upload-session.ts); tests shrink the waits. */
  upload?: { maxTries?: number; maxWaitMs?: number };
}

interface Ctx {
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

async function logged(c: Ctx, op: Operation, method: "POST" | "DELETE", path: string, body?: unknown): Promise<CallOutcome> {
  const a = await startAttempt(c.sendId, c.lease, op);
  const r = await graphCall(c.client, { method, path, body, timeoutMs: c.timeoutMs });
  await finishAttempt(a.id, {
    durationMs: r.durationMs, httpStatus: r.status, graphCode: r.failure?.graphCode, message: r.failure?.message,
    requestId: r.requestId, clientRequestId: r.clientRequestId, retryAfterMs: r.retryAfterMs, outcome: outcomeOf(op, r),
  });
  return r;
}

function classify(op: Operation, r: CallOutcome, timeoutMs: number): Delivery {
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

async function files(list: AttachmentRecord[]): Promise<(AttachmentRecord & { path: string })[] | string> {
  const out: (AttachmentRecord & { path: string })[] = [];
  for (const a of list) {
    const p = uploadPath(a.id);
    const st = await stat(p).catch(() => null);
    if (!st || st.size !== a.size) return `The attachment "${a.name}" is no longer on the portal (it was removed after an earlier send). Attach it again in a new message.`;
    out.push({ ...a, path: p });
  }
  return out;
}

/** One failed range try as an attempt row: HTTP status, Retry-After, the range and where the session said it stands. */
async function logRangeTry(c: Ctx, name: string, t: RangeTry): Promise<void> {
  const a = await startAttempt(c.sendId, c.lease, "upload");
  const what = t.status === null ? `connection lost (${t.message ?? "network error"})` : `HTTP ${t.status}${t.message ? `: ${t.message}` : ""}`;
  const resumed = t.resumeAt === null ? "" : `; the session expects byte ${t.resumeAt} next`;
  await finishAttempt(a.id, {
    durationMs: t.durationMs, httpStatus: t.status, graphCode: t.graphCode, requestId: t.requestId, retryAfterMs: t.retryAfterMs,
    message: `${name}, bytes ${t.start}-${t.end}/${t.total}: ${what}${resumed}`,
    // Absorbed within this try of the send: the outbox's own retry budget (transientTries) is not spent on it.
    outcome: "retried",
  });
}

export async function deliver(sendId: string, lease: string, s: StoredMessage & { attachments: unknown; saveToSent: boolean }, client: Client, base: string, timeoutMs: number, o: DeliverOptions = { leaseMs: 120_000, maxSendSizeBytes: DEFAULT_MAILBOX_LIMIT }): Promise<Delivery> {
  const c: Ctx = { sendId, lease, client, base, timeoutMs };
  const mine = { id: sendId, workerId: lease, status: "sending" as const };
  const list = await files((Array.isArray(s.attachments) ? s.attachments : []) as AttachmentRecord[]);
  if (typeof list === "string") return { kind: "failed", code: "ATTACHMENT_MISSING", message: list };
  // The same estimate queue-send refused on: a limit lowered since, or a send queued before the check, stops here.
  const estimate = estimateEncodedSize({
    subject: s.subject, body: s.body ?? "", headers: Array.isArray(s.headers) ? (s.headers as { name: string; value: string }[]) : [],
    addresses: [...s.toAddresses, ...s.ccAddresses, ...s.bccAddresses, ...s.replyToAddresses], attachments: list,
  });
  if (estimate > o.maxSendSizeBytes) {
    return { kind: "failed", code: "MESSAGE_TOO_LARGE", message: overLimitMessage(estimate, o.maxSendSizeBytes, list.reduce((n, a) => n + a.size, 0)) };
  }
  const empty = Buffer.alloc(0);
  const inlineSize = serializedSize({ message: graphMessage(s, list.map((a) => fileAttachment(a, empty))), saveToSentItems: s.saveToSent }, list.map((a) => a.size));
  const postable = (a: AttachmentRecord) => serializedSize(fileAttachment(a, empty), [a.size]) < MAX_REQUEST_BYTES;

  if (inlineSize < MAX_REQUEST_BYTES) {
    const inline = await Promise.all(list.map(async (a) => fileAttachment(a, await readFile(a.path))));
    const r = await logged(c, "sendMail", "POST", `${base}/sendMail`, { message: graphMessage(s, inline), saveToSentItems: s.saveToSent });
    return r.ok ? { kind: "accepted" } : classify("sendMail", r, timeoutMs);
  }

  const draft = await logged(c, "createDraft", "POST", `${base}/messages`, graphMessage(s));
  if (!draft.ok) return classify("createDraft", draft, timeoutMs);
  const draftId = (draft.body as { id?: string } | null)?.id;
  if (!draftId) return { kind: "failed", code: "NO_DRAFT_ID", message: "Graph created the draft but returned no id." };
  if ((await db().send.updateMany({ where: mine, data: { draftId } })).count === 0) {
    await graphCall(client, { method: "DELETE", path: `${base}/messages/${encodeURIComponent(draftId)}`, timeoutMs }).catch(() => undefined);
    throw new LeaseLost(sendId);
  }
  const msgPath = `${base}/messages/${encodeURIComponent(draftId)}`;
  const progress = progressMap();
  const bigTotal = list.filter((a) => !postable(a)).reduce((n, a) => n + a.size, 0);
  let uploadedBefore = 0;

  const result = await (async (): Promise<Delivery | LeaseLost> => {
    for (const a of list) {
      if (postable(a)) {
        const r = await logged(c, "attachment", "POST", `${msgPath}/attachments`, fileAttachment(a, await readFile(a.path)));
        if (!r.ok) return classify("attachment", r, timeoutMs);
        continue;
      }
      const session = await logged(c, "createUploadSession", "POST", `${msgPath}/attachments/createUploadSession`, {
        AttachmentItem: { attachmentType: "file", name: a.name, size: a.size, contentType: a.contentType },
      });
      if (!session.ok) return classify("createUploadSession", session, timeoutMs);
      const uploadUrl = (session.body as { uploadUrl?: string } | null)?.uploadUrl;
      if (!uploadUrl) return { kind: "failed", code: "NO_UPLOAD_URL", message: "Graph returned no upload URL." };
      const att = await startAttempt(sendId, lease, "upload");
      const started = performance.now();
      try {
        await uploadFileToSession(uploadUrl, a, {
          timeoutMs,
          ...o.upload,
          onProgress: (n) => progress.set(sendId, { phase: `Uploading ${a.name} to Microsoft`, uploadedBytes: uploadedBefore + n, totalBytes: bigTotal }),
          onTry: (t) => logRangeTry(c, a.name, t),
          // A Retry-After wait can outlast the lease: renew it first, and stop when it is no longer ours.
          beforeWait: async (ms) => {
            progress.set(sendId, { phase: `Microsoft asked to wait ${Math.ceil(ms / 1000)} s before uploading more of ${a.name}`, uploadedBytes: progress.get(sendId)?.uploadedBytes ?? uploadedBefore, totalBytes: bigTotal });
            if (!(await renewLease(sendId, lease, Math.max(o.leaseMs, ms + o.leaseMs)))) throw new LeaseLost(sendId);
          },
        });
        uploadedBefore += a.size;
        await finishAttempt(att.id, { durationMs: Math.round(performance.now() - started), httpStatus: 201, message: `${a.name}: ${a.size} bytes uploaded`, outcome: "uploaded" });
      } catch (err) {
        if (err instanceof LeaseLost) throw err;
        const durationMs = Math.round(performance.now() - started);
        if (err instanceof UploadSessionExpired) {
          // The draft goes (below) and the outbox builds the message again on its next try.
          await finishAttempt(att.id, { durationMs, httpStatus: 404, graphCode: "UploadSessionExpired", message: `${a.name}: ${err.message}`, outcome: "unavailable" });
          return { kind: "retry", afterMs: null, code: "UploadSessionExpired", message: `The upload session for "${a.name}" expired; the message will be built again.` };
        }
        if (err instanceof UploadFailed) {
          await finishAttempt(att.id, { durationMs, httpStatus: err.status, graphCode: err.graphCode, message: `${a.name}: ${err.message}`, requestId: err.requestId, retryAfterMs: err.retryAfterMs, outcome: err.transient ? (err.status === 429 ? "throttled" : err.status === null ? "network" : "unavailable") : "failed" });
          if (err.transient) return { kind: "retry", afterMs: err.retryAfterMs, code: err.graphCode ?? (err.status ? `HTTP_${err.status}` : "NETWORK"), message: `Uploading "${a.name}": ${err.message}` };
          return { kind: "failed", code: err.graphCode ?? `HTTP_${err.status}`, message: `Uploading "${a.name}" failed: ${err.message}` };
        }
        const f = graphFailure(err);
        const code = f.graphCode ?? (f.network ? "NETWORK" : "UPLOAD_FAILED");
        await finishAttempt(att.id, { durationMs, httpStatus: f.httpStatus, graphCode: code, message: f.message, requestId: f.requestId, clientRequestId: f.clientRequestId, outcome: "failed" });
        return { kind: "failed", code, message: `Uploading "${a.name}" failed: ${f.message ?? "unknown error"}` };
      }
    }
    progress.set(sendId, { phase: "Sending", uploadedBytes: bigTotal, totalBytes: bigTotal });
    const sent = await logged(c, "send", "POST", `${msgPath}/send`);
    return sent.ok ? { kind: "accepted" } : classify("send", sent, timeoutMs);
  })().catch((err: unknown) => {
    if (err instanceof LeaseLost) return err;
    throw err;
  });

  // The lease was lost before the draft was sent: the draft is removed (unlogged — the log now belongs
  // to the try that holds the send) so it never goes out, and this try stops.
  if (result instanceof LeaseLost) {
    await graphCall(client, { method: "DELETE", path: msgPath, timeoutMs }).catch(() => undefined);
    throw result;
  }

  // Anything but a sent (or possibly sent) message: delete the draft so it can never go out half-built.
  if (result.kind === "failed" || result.kind === "retry") {
    await logged(c, "deleteDraft", "DELETE", msgPath).catch(() => undefined);
    await db().send.updateMany({ where: mine, data: { draftId: null } });
  }
  return result;
}
