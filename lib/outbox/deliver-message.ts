import "server-only";
import { graphCall } from "../graph/send-call";
import { fileAttachment, graphMessage, type StoredMessage } from "../graph/send-message";
import { UploadFailed, UploadSessionExpired, uploadFileToSession, type RangeTry } from "../graph/upload-session";
import { graphFailure } from "../graph/errors";
import type { AttachmentRecord } from "../sends/queue-send";
import { db } from "../db";
import { finishAttempt, LeaseLost, startAttempt } from "./attempts";
import { renewLease } from "./claim";
import { progressReporter } from "./progress";
import { readAll, type ByteSource } from "../uploads/source";
import { classify, logged, type Ctx, type Delivery } from "./graph-steps";

/**
 * The Graph calls of one try, each logged as a SendAttempt. When the sendMail request *as sent* (JSON,
 * attachments base64) stays under MAX_REQUEST_BYTES: one sendMail with inline fileAttachments.
 * Otherwise Graph's large-attachment flow: draft → each file whose attachment POST fits the same limit
 * as an attachment, the others through an upload session (streamed from the upload store) → send. When anything
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

export const base64Length = (bytes: number) => 4 * Math.ceil(bytes / 3);

/** Bytes of a JSON request holding `shape` (with empty contentBytes) once each file's base64 is in it. */
function serializedSize(shape: unknown, fileBytes: number[]): number {
  return Buffer.byteLength(JSON.stringify(shape)) + fileBytes.reduce((n, b) => n + base64Length(b), 0);
}
/** What a try needs besides the message: the lease length (renewed during long waits) and the size limit. */
export interface DeliverOptions {
  leaseMs: number;
  /** The sender mailbox's message size limit as the portal knows it (Tenant.maxSendSizeBytes). */
  maxSendSizeBytes: number;
  /** Upload-range retries (lib/graph/upload-session.ts); tests shrink the waits. */
  upload?: { maxTries?: number; maxWaitMs?: number };
}

/** An attachment with where its bytes are (the upload store, or a parsed device message's part on disk). */
export type AttachmentFile = AttachmentRecord & {
  source: ByteSource;
  /** A part of a device's message shown in its HTML through cid: (deliver-mime.ts). */
  isInline?: boolean;
  contentId?: string;
};

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

/**
 * The message and its attachment files to Graph: one sendMail with inline attachments when the request
 * as sent fits, else the draft + attachments/upload sessions + send (deleting the draft on failure).
 */
export async function deliverMessage(c: Ctx, s: StoredMessage & { saveToSent: boolean }, list: AttachmentFile[], o: DeliverOptions): Promise<Delivery> {
  const { sendId, lease, client, base, timeoutMs } = c;
  const mine = { id: sendId, workerId: lease, status: "sending" as const };
  const empty = Buffer.alloc(0);
  const inlineSize = serializedSize({ message: graphMessage(s, list.map((a) => fileAttachment(a, empty))), saveToSentItems: s.saveToSent }, list.map((a) => a.size));
  const postable = (a: AttachmentFile) => serializedSize(fileAttachment(a, empty), [a.size]) < MAX_REQUEST_BYTES;

  if (inlineSize < MAX_REQUEST_BYTES) {
    const inline = await Promise.all(list.map(async (a) => fileAttachment(a, await readAll(a.source))));
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
  const progress = progressReporter(sendId);
  const bigTotal = list.filter((a) => !postable(a)).reduce((n, a) => n + a.size, 0);
  let uploadedBefore = 0;

  const result = await (async (): Promise<Delivery | LeaseLost> => {
    for (const a of list) {
      if (postable(a)) {
        const r = await logged(c, "attachment", "POST", `${msgPath}/attachments`, fileAttachment(a, await readAll(a.source)));
        if (!r.ok) return classify("attachment", r, timeoutMs);
        continue;
      }
      const session = await logged(c, "createUploadSession", "POST", `${msgPath}/attachments/createUploadSession`, {
        AttachmentItem: { attachmentType: "file", name: a.name, size: a.size, contentType: a.contentType, ...(a.isInline ? { isInline: true } : {}), ...(a.contentId ? { contentId: a.contentId } : {}) },
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
          onProgress: (n) => progress.set({ phase: `Uploading ${a.name} to Microsoft`, uploadedBytes: uploadedBefore + n, totalBytes: bigTotal }),
          onTry: (t) => logRangeTry(c, a.name, t),
          // A Retry-After wait can outlast the lease: renew it first, and stop when it is no longer ours.
          beforeWait: async (ms) => {
            progress.set({ phase: `Microsoft asked to wait ${Math.ceil(ms / 1000)} s before uploading more of ${a.name}`, uploadedBytes: progress.last()?.uploadedBytes ?? uploadedBefore, totalBytes: bigTotal });
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
    progress.set({ phase: "Sending", uploadedBytes: bigTotal, totalBytes: bigTotal });
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
