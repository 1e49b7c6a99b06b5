import "server-only";
import https from "node:https";
import http from "node:http";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { retryAfterMs as parseRetryAfter } from "./retry-after";
import { proxyAwareAgent } from "../net/proxy";
import type { ByteSource } from "../uploads/source";

/**
 * Step 3 of Graph's large-attachment flow (learn.microsoft.com/graph/outlook-large-attachments,
 * learn.microsoft.com/graph/api/attachment-createuploadsession): PUT the file to the upload session in
 * ranges, in order, each with Content-Range and Content-Length. Each range is piped from disk into the
 * request, so neither the file nor a whole range is ever held in memory (the SDK's LargeFileUploadTask
 * reads every range into a buffer first). Ranges are 3.75 MiB: under Outlook's 4 MB per request and a
 * multiple of 320 KiB, as Microsoft recommends. The upload URL is pre-authenticated: no Authorization
 * header is sent (Outlook rejects one).
 *
 * A range that fails is not the end of the send:
 * - 429 (Outlook's upload-volume limit answers 429 + Retry-After on the PUT too:
 *   learn.microsoft.com/graph/throttling-limits#outlook-service-limits), 5xx and network errors are
 *   tried again, after Retry-After (delay-seconds or an HTTP-date) or a backoff, at most `maxTries`
 *   times in a row without progress;
 * - before trying again the session is asked where it stands (GET uploadUrl → nextExpectedRanges, as for
 *   any Graph upload session: learn.microsoft.com/graph/api/driveitem-createuploadsession#resuming-an-in-progress-upload),
 *   so a range the service stored before the connection broke is not sent twice;
 * - a session that no longer exists (404 on the upload URL) or whose expirationDateTime passed throws
 *   UploadSessionExpired: the draft must be rebuilt, which the outbox does by trying the send again.
 * Every failed try is reported through `onTry` (status, Retry-After, range) so it lands in the attempt log.
 */
export const UPLOAD_RANGE_BYTES = 12 * 320 * 1024;

// Keep-alive, no socket cap: one upload's ranges reuse a socket, and never wait for another upload's.
// Through the corporate proxy when HTTPS_PROXY/NO_PROXY say so (lib/net/proxy.ts).
const agent = proxyAwareAgent({ https: new https.Agent({ keepAlive: true }), http: new http.Agent({ keepAlive: true }) });

interface HttpResult {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** One failed try of a range, as the attempt log keeps it. */
export interface RangeTry {
  start: number;
  end: number;
  total: number;
  /** null: the connection broke or timed out (`network` says why). */
  status: number | null;
  graphCode: string | null;
  message: string | null;
  retryAfterMs: number | null;
  /** Where the session said it stands after the failure (null when not asked or no answer). */
  resumeAt: number | null;
  durationMs: number;
  requestId: string | null;
}

/** The upload session is gone (404) or past its expirationDateTime: the draft has to be built again. */
export class UploadSessionExpired extends Error {
  constructor(readonly detail: string) {
    super(`The upload session expired: ${detail}`);
  }
}

/** A range failed for good (a 4xx other than 404/416), or transient failures went past `maxTries`. */
export class UploadFailed extends Error {
  constructor(
    readonly status: number | null,
    readonly graphCode: string | null,
    message: string,
    readonly transient: boolean,
    readonly retryAfterMs: number | null,
    readonly requestId: string | null,
  ) {
    super(message);
  }
}

export interface UploadOptions {
  rangeBytes?: number;
  timeoutMs?: number;
  /** Failed tries in a row, without the session moving forward, before giving up (default 8). */
  maxTries?: number;
  /** Longest wait honoured inside one try of the send; a longer Retry-After re-queues the send instead (default 120 s). */
  maxWaitMs?: number;
  onProgress?: (uploadedBytes: number) => void;
  /** Called after every failed try that is tried again (with the wait and where the session stands); may throw to stop. */
  onTry?: (t: RangeTry) => Promise<void> | void;
  /** Called before each wait with its length; may throw to stop (the outbox renews its lease here). */
  beforeWait?: (ms: number) => Promise<void> | void;
  sleep?: (ms: number) => Promise<void>;
}

interface RangeBody {
  /** The range's bytes, opened by the caller (possibly while the previous range was being answered). */
  bytes: Readable;
  start: number;
  end: number;
  total: number;
  /** Called once every byte of the body has been handed to the socket. */
  onSent?: () => void;
}

function request(url: URL, method: "PUT" | "GET", timeoutMs: number, body?: RangeBody): Promise<HttpResult> {
  const mod = url.protocol === "https:" ? https : http;
  return new Promise<HttpResult>((resolve, reject) => {
    const headers: Record<string, string> = body
      ? { "content-type": "application/octet-stream", "content-length": String(body.end - body.start + 1), "content-range": `bytes ${body.start}-${body.end}/${body.total}` }
      : { accept: "application/json" };
    const req = mod.request(url, { method, agent, timeout: timeoutMs, headers });
    // The range's bytes. An answer can come before they were all read (a 429 or 413 answered at once):
    // the source is then closed, so the store stops reading and frees what it held (a database connection).
    const source = body?.bytes ?? null;
    const settle = () => source?.destroy();
    req.on("timeout", () => req.destroy(new Error(`upload ${method} timed out after ${Math.round(timeoutMs / 1000)} s`)));
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        settle();
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), headers: res.headers });
      });
      res.on("error", (err) => {
        settle();
        reject(err);
      });
    });
    req.on("error", (err) => {
      settle();
      reject(err);
    });
    if (source) pipeline(source, req).then(() => body?.onSent?.(), reject);
    else req.end();
  });
}

function errorOf(r: HttpResult): { code: string | null; message: string | null } {
  try {
    const parsed = JSON.parse(r.body) as { error?: { code?: string; message?: string } };
    if (parsed?.error) return { code: parsed.error.code ?? null, message: parsed.error.message ?? null };
  } catch {
    /* not JSON */
  }
  return { code: null, message: r.body ? r.body.slice(0, 300) : null };
}

/** The session's state from a 200 answer: `nextExpectedRanges: ["12345-"]` and `expirationDateTime`, either casing (Outlook varies). */
function sessionState(body: string): { next: number | null; expiresAt: number | null } {
  try {
    const j = JSON.parse(body) as Record<string, unknown>;
    const ranges = (j.nextExpectedRanges ?? j.NextExpectedRanges) as string[] | undefined;
    const exp = (j.expirationDateTime ?? j.ExpirationDateTime) as string | undefined;
    const first = Array.isArray(ranges) ? ranges[0] : undefined;
    const at = exp ? Date.parse(exp) : NaN;
    return { next: first ? Number(first.split("-")[0]) : null, expiresAt: Number.isFinite(at) ? at : null };
  } catch {
    return { next: null, expiresAt: null };
  }
}

const header = (h: http.IncomingHttpHeaders, name: string) => {
  const v = h[name];
  return (Array.isArray(v) ? v[0] : v) ?? null;
};
const transientStatus = (s: number) => s === 429 || s >= 500;
const backoff = (n: number) => Math.min(30_000, 1_000 * 2 ** Math.max(0, n - 1));
const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function uploadFileToSession(uploadUrl: string, file: { source: ByteSource; name: string; size: number }, opts: UploadOptions = {}): Promise<void> {
  const url = new URL(uploadUrl);
  const range = opts.rangeBytes ?? UPLOAD_RANGE_BYTES;
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const maxTries = opts.maxTries ?? 8;
  const maxWaitMs = opts.maxWaitMs ?? 120_000;
  const sleep = opts.sleep ?? realSleep;
  let offset = 0;
  let expiresAt: number | null = null;
  let failures = 0;

  /** GET uploadUrl: where the session stands, or UploadSessionExpired when it is gone. */
  const ask = async (): Promise<number | null> => {
    const r = await request(url, "GET", timeoutMs).catch(() => null);
    if (!r) return null;
    if (r.status === 404) throw new UploadSessionExpired(`the upload URL answered 404 ${errorOf(r).code ?? ""}`.trim());
    if (r.status !== 200) return null;
    const st = sessionState(r.body);
    if (st.expiresAt) expiresAt = st.expiresAt;
    return st.next;
  };

  /**
   * The next range, opened as soon as the current one's bytes are on the wire, so the store's read of it
   * (a database COPY, an S3 GET: a round trip and a first chunk) overlaps the wait for Graph's answer
   * instead of following it. What a store buffers ahead is bounded by its stream's high-water mark (about
   * one 960 KiB chunk for PostgreSQL); unused (the answer moved the offset elsewhere, or the upload
   * stopped), it is closed, which frees its connection.
   */
  let ahead: { start: number; end: number; bytes: Readable } | null = null;
  const dropAhead = () => {
    ahead?.bytes.destroy();
    ahead = null;
  };
  const rangeBytes = (start: number, end: number): Readable => {
    if (ahead && ahead.start === start && ahead.end === end) {
      const { bytes } = ahead;
      ahead = null;
      return bytes;
    }
    dropAhead();
    return file.source.open({ start, end });
  };
  try {
    return await sendRanges();
  } finally {
    dropAhead();
  }

  async function sendRanges(): Promise<void> {
    while (offset < file.size) {
      if (expiresAt !== null && expiresAt <= Date.now()) throw new UploadSessionExpired(`its expirationDateTime ${new Date(expiresAt).toISOString()} has passed`);
      const end = Math.min(offset + range, file.size) - 1;
      const started = performance.now();
      let r: HttpResult | null = null;
      let networkError: string | null = null;
      const next = end + 1 < file.size ? { start: end + 1, end: Math.min(end + 1 + range, file.size) - 1 } : null;
      let answered = false;
      try {
        r = await request(url, "PUT", timeoutMs, {
          bytes: rangeBytes(offset, end),
          start: offset,
          end,
          total: file.size,
          onSent: () => {
            // Not once the answer is in (a server may answer before reading the whole body).
            if (next && !ahead && !answered) ahead = { ...next, bytes: file.source.open(next) };
          },
        });
      } catch (err) {
        networkError = err instanceof Error ? err.message : String(err);
      }
      answered = true;
      if (r && (r.status === 201 || (r.status === 200 && end === file.size - 1))) {
        opts.onProgress?.(file.size);
        return;
      }
      if (r && r.status === 200) {
        const st = sessionState(r.body);
        if (st.expiresAt) expiresAt = st.expiresAt;
        offset = st.next ?? end + 1;
        failures = 0;
        opts.onProgress?.(offset);
        continue;
      }
      if (r && r.status === 404) throw new UploadSessionExpired(`the upload URL answered 404 ${errorOf(r).code ?? ""}`.trim());
      // After a failure the session is asked where it stands before anything more is sent, perhaps after a
      // long Retry-After: a range read ahead would hold its database connection all that time.
      dropAhead();
      const err = r ? errorOf(r) : { code: null, message: networkError };
      const retryAfter = r ? parseRetryAfter(header(r.headers, "retry-after")) : null;
      const requestId = r ? header(r.headers, "request-id") : null;
      // 416: the service holds other bytes than we thought (a range it stored before its answer was lost).
      const worthAnother = !r || transientStatus(r.status) || r.status === 416;
      failures++;
      const give = (transient: boolean) =>
        new UploadFailed(r?.status ?? null, err.code, `${err.message ?? `HTTP ${r?.status}`} (bytes ${offset}-${end}/${file.size})`, transient, retryAfter, requestId);
      // The last try is the caller's to record (it becomes the upload's own outcome); onTry gets the absorbed ones.
      if (!worthAnother) throw give(false);
      const wait = retryAfter ?? backoff(failures);
      if (failures >= maxTries || wait > maxWaitMs) throw give(true);
      await opts.beforeWait?.(wait);
      await sleep(wait);
      const resumeAt = await ask();
      await opts.onTry?.({ start: offset, end, total: file.size, status: r?.status ?? null, graphCode: err.code, message: err.message, retryAfterMs: wait, resumeAt, durationMs: Math.round(performance.now() - started), requestId });
      if (resumeAt !== null) {
        if (resumeAt > offset) failures = 0;
        offset = resumeAt;
        opts.onProgress?.(offset);
      }
    }
  }
}
