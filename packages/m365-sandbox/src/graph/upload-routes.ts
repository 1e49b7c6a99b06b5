/**
 * The upload host (graph/outlook-large-attachments, steps 2–3): PUT byte ranges to the
 * pre-authenticated upload URL, in order, each at most 4 MB, with
 *   Content-Range: bytes {start}-{end}/{total}
 * → 200 {"ExpirationDateTime", "nextExpectedRanges": ["<next>"]} (casing as in Microsoft's example),
 * and for the last range 201 Created, no body, Location: …/Attachments('{id}').
 * GET answers the session's state (200 {expirationDateTime, nextExpectedRanges}), so a client whose
 * connection broke can ask where to resume — as for every Graph upload session
 * (learn.microsoft.com/graph/api/driveitem-createuploadsession#resuming-an-in-progress-upload; that the
 * Outlook attachment session answers GET the same way is unconfirmed, the sandbox assumes it does).
 * Each PUT counts against the app+mailbox upload volume (upload-limits.ts; 429 + Retry-After when on), and
 * the PUT whose bytes take the message's ENCODED size (message-input.ts messageSize) over the mailbox's
 * MaxSendSize is answered 400 ErrorMessageSizeExceeded "The message exceeds the maximum supported size."
 * (text observed in microsoft-graph-docs-contrib issue 2561; the status code there is unconfirmed).
 * DELETE cancels (204). A request with an Authorization header is refused: the URL itself is the
 * credential ("Do not specify an Authorization request header"); the 401 body is the sandbox's wording.
 * Chunks are streamed to <dataDir>/mail/uploads/<token>; the finished file moves to the blob store.
 */
import { createHash, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, rm, truncate } from "node:fs/promises";
import type { SandboxContext } from "../context";
import { adoptBlob } from "../exchange/blobs";
import { mailState, type UploadSession } from "../exchange/mail-state";
import type { Ctx, Router } from "../http";
import { applyFault, applyLatency, requestIds, sendGraphError } from "./pipeline";
import { messageSize } from "./message-input";
import { recordUploadVolume, takeUploadFault, uploadVolumeWait } from "./upload-limits";

export const MAX_CHUNK_BYTES = 4 * 1024 * 1024;

type Ids = { requestId: string; clientRequestId: string };

function sessionFor(ctx: SandboxContext, c: Ctx): UploadSession | undefined {
  const token = c.url.searchParams.get("authtoken") ?? "";
  const s = mailState(ctx.store).uploads.get(token);
  if (!s || !c.params.s?.includes(s.sessionId) || !c.params.m?.includes(s.draftId)) return undefined;
  if (s.expiresAt <= ctx.clock.now()) return undefined;
  return s;
}

function sessionBody(ctx: SandboxContext, s: UploadSession): Record<string, unknown> {
  return {
    "@odata.context": `${ctx.urls.uploadUrl}/api/v2.0/$metadata#Users('${s.mailboxUserId}%40${s.tenantId}')/Messages('${encodeURIComponent(s.draftId)}')/AttachmentSessions/$entity`,
    ExpirationDateTime: new Date(s.expiresAt).toISOString(),
    nextExpectedRanges: [`${s.received}`],
  };
}

function json(res: Ctx["res"], status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function sha256OfFile(file: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest("hex");
}

/** Streams the request body into the upload file at `start`; returns the bytes written. */
async function writeChunk(c: Ctx, file: string, start: number, expected: number): Promise<number> {
  const fh = await open(file, start === 0 ? "w" : "r+");
  let written = 0;
  try {
    for await (const chunk of c.req) {
      const b = chunk as Buffer;
      if (written + b.length > expected) throw new Error("more bytes than the Content-Range announced");
      await fh.write(b, 0, b.length, start + written);
      written += b.length;
    }
  } finally {
    await fh.close();
  }
  return written;
}

async function finish(ctx: SandboxContext, s: UploadSession): Promise<string> {
  const st = mailState(ctx.store);
  const draft = st.drafts.get(s.draftId);
  const sha256 = await sha256OfFile(s.file);
  adoptBlob(ctx.dataDir, s.file, sha256);
  st.uploads.delete(s.token);
  const id = `AAMkAD${randomUUID().replace(/-/g, "")}AAABEgAQ=`;
  draft?.attachments.push({
    id,
    name: s.name,
    contentType: s.contentType,
    size: s.size,
    sha256,
    isInline: s.isInline,
    ...(s.contentId ? { contentId: s.contentId } : {}),
    lastModifiedDateTime: new Date(ctx.clock.now()).toISOString(),
  });
  return id;
}

async function put(ctx: SandboxContext, c: Ctx, ids: Ids): Promise<void> {
  const err = (status: number, code: string, message: string) => {
    c.req.resume();
    sendGraphError(ctx, c.res, ids, status, code, message);
  };
  const s = sessionFor(ctx, c);
  if (!s) return err(404, "ErrorItemNotFound", "The upload session does not exist or has expired.");
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(c.req.headers["content-range"] ?? "").trim());
  if (!m) return err(400, "ErrorInvalidRequest", "The Content-Range header is missing or is not 'bytes {start}-{end}/{total}'.");
  const [start, end, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (total !== s.size) return err(400, "ErrorInvalidRequest", `The total size ${total} does not match the session's size ${s.size}.`);
  if (end < start || end >= total) return err(416, "ErrorInvalidRange", "The Content-Range is not satisfiable.");
  const length = end - start + 1;
  if (length > MAX_CHUNK_BYTES) return err(413, "RequestEntityTooLarge", "Each byte range must be at most 4 MB.");
  if (start !== s.received) return err(416, "ErrorInvalidRange", `Byte ranges must be uploaded in order; the next expected range starts at ${s.received}.`);
  const declared = c.req.headers["content-length"];
  if (declared !== undefined && Number(declared) !== length) return err(400, "ErrorInvalidRequest", "Content-Length does not match the Content-Range.");
  if (s.busy) return err(409, "ErrorInvalidRequest", "Another range of this upload session is being written.");
  const fault = takeUploadFault(ctx, start, end);
  if (fault === "expire") {
    mailState(ctx.store).uploads.delete(s.token);
    await rm(s.file, { force: true });
    return err(404, "ErrorItemNotFound", "The upload session does not exist or has expired.");
  }
  const wait = uploadVolumeWait(ctx, s.appId, s.mailboxUserId, length);
  if (wait > 0) {
    c.req.resume();
    return sendGraphError(ctx, c.res, ids, 429, "ApplicationThrottled", "Application is over its upload size limit.", { "retry-after": String(wait) });
  }
  const draft = mailState(ctx.store).drafts.get(s.draftId);
  const mailbox = ctx.store.mailboxes.get(s.mailboxUserId);
  if (draft && mailbox && messageSize(draft.content, [...draft.attachments.map((a) => a.size), end + 1]) > mailbox.maxSendSize) {
    return err(400, "ErrorMessageSizeExceeded", "The message exceeds the maximum supported size.");
  }
  s.busy = true;
  try {
    let written: number;
    try {
      written = await writeChunk(c, s.file, start, length);
    } catch (e) {
      await truncate(s.file, s.received).catch(() => undefined);
      return err(400, "ErrorInvalidRequest", (e as Error).message);
    }
    if (written !== length) {
      await truncate(s.file, s.received).catch(() => undefined);
      return err(400, "ErrorInvalidRequest", `Received ${written} bytes; the Content-Range announced ${length}.`);
    }
    s.received = end + 1;
    recordUploadVolume(ctx, s.appId, s.mailboxUserId, length);
    if (fault === "drop") {
      // Stored, but the answer never leaves: the client must ask the session where it stands.
      if (s.received >= s.size) await finish(ctx, s);
      c.req.socket.destroy();
      return;
    }
    if (s.received < s.size) return json(c.res, 200, sessionBody(ctx, s));
    const attId = await finish(ctx, s);
    const location = `${ctx.urls.uploadUrl}/api/v2.0/Users('${s.mailboxUserId}@${s.tenantId}')/Messages('${s.draftId}')/Attachments('${attId}')`;
    c.res.writeHead(201, { location, "content-length": "0" });
    c.res.end();
  } finally {
    s.busy = false;
  }
}

export function registerUploadRoutes(router: Router, ctx: SandboxContext): void {
  const wrap = (h: (c: Ctx, ids: Ids) => Promise<void>) => async (c: Ctx) => {
    const ids = requestIds(c.req, c.res);
    if (applyFault(ctx, c.req, c.res, ids)) return;
    if (c.req.headers.authorization) {
      c.req.resume();
      sendGraphError(ctx, c.res, ids, 401, "InvalidAuthenticationToken", "The upload URL is pre-authenticated: do not send an Authorization header.");
      return;
    }
    await applyLatency(ctx);
    await h(c, ids);
  };
  const pattern = "/api/v2.0/:u/:m/:s";
  router.on("PUT", pattern, wrap((c, ids) => put(ctx, c, ids)));
  router.on("GET", pattern, wrap(async (c, ids) => {
    c.req.resume();
    const s = sessionFor(ctx, c);
    if (!s) return sendGraphError(ctx, c.res, ids, 404, "ErrorItemNotFound", "The upload session does not exist or has expired.");
    json(c.res, 200, sessionBody(ctx, s));
  }));
  router.on("DELETE", pattern, wrap(async (c, ids) => {
    c.req.resume();
    const s = sessionFor(ctx, c);
    if (!s) return sendGraphError(ctx, c.res, ids, 404, "ErrorItemNotFound", "The upload session does not exist or has expired.");
    mailState(ctx.store).uploads.delete(s.token);
    await rm(s.file, { force: true });
    c.res.writeHead(204);
    c.res.end();
  }));
}
