/**
 * Attachments on a draft:
 *   POST /v1.0/{…}/messages/{id}/attachments                      (graph/api/message-post-attachments; < 3 MB)
 *   GET  /v1.0/{…}/messages/{id}/attachments[/{attId}[/$value]]   (graph/api/attachment-get)
 *   POST /v1.0/{…}/messages/{id}/attachments/createUploadSession  (graph/api/attachment-createuploadsession)
 * An upload session's URL points at the UPLOAD host (a different host name, so the Graph SDK sends no
 * Authorization header there) in Outlook's form:
 *   {uploadUrl}/api/v2.0/Users('{userId}@{tenantId}')/Messages('{id}')/AttachmentSessions('{sid}')?authtoken=…
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, createReadStream } from "node:fs";
import path from "node:path";
import type { SandboxContext } from "../context";
import { blobPath, readBlobBase64, uploadDir } from "../exchange/blobs";
import { mailState, type UploadSession } from "../exchange/mail-state";
import type { Router } from "../http";
import { parseJsonBody, readGraphBody } from "./body";
import { attachmentJson, outlookId } from "./message-view";
import { parseAttachment, SIZE_EXCEEDED, messageSize, rawMessageSize } from "./message-input";
import { recordUploadVolume, uploadVolumeWait } from "./upload-limits";
import { GraphHttpError } from "./pipeline";
import { findDraft, mailboxRoutes, withMailbox } from "./mail-routes";
import { storeInlineAttachments } from "./submit";

/**
 * Minimum size for an upload session. The docs say "3 MB" as a recommendation (graph/outlook-large-attachments);
 * the enforced minimum was observed as exactly 2,097,152 bytes (github.com/microsoftgraph/msgraph-sdk-java/pull/52,
 * comment of 2020-08-20 — observed, not documented). Between 2 MiB and 3 MB a file fits neither a 4 MB POST
 * (as base64) nor the documented range, so the observed value is the one that matters.
 */
export const MIN_UPLOAD_SESSION_BYTES = 2 * 1024 * 1024;
export const MAX_ATTACHMENT_BYTES = 150 * 1024 * 1024;
/** The doc example shows a session valid for several hours; the exact lifetime is unconfirmed. */
export const UPLOAD_SESSION_LIFETIME_MS = 6 * 3_600_000;

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
const prop = (o: Record<string, unknown>, name: string) => o[Object.keys(o).find((k) => k.toLowerCase() === name.toLowerCase()) ?? ""];

export function registerAttachmentRoutes(router: Router, ctx: SandboxContext): void {
  mailboxRoutes(router, "POST", "/messages/:id/attachments", ctx, (g, user) =>
    withMailbox(g, user, "Mail.ReadWrite", async (t) => {
      // The request limit applies as sent (4 MB, base64 inside JSON): readGraphBody answers 400 "Maximum request length exceeded." over it.
      const body = await readGraphBody(g.req);
      const wait = uploadVolumeWait(ctx, g.claims.appid, t.user.id, body.length);
      if (wait > 0) throw new GraphHttpError(429, "ApplicationThrottled", "Application is over its upload size limit.", { "retry-after": String(wait) });
      const raw = parseJsonBody(body);
      const d = findDraft(g, t, g.params.id!);
      const a = parseAttachment(raw);
      const sizes = [...d.attachments.map((x) => x.size), a.bytes.length];
      if (messageSize(d.content, sizes) > t.mailbox.maxSendSize) {
        // Observed text when adding an attachment pushes the item over the limit.
        throw new GraphHttpError(400, "ErrorMessageSizeExceeded", "The message exceeds the maximum supported size., Cannot save changes made to an item to store.");
      }
      recordUploadVolume(ctx, g.claims.appid, t.user.id, body.length);
      const [stored] = storeInlineAttachments(ctx, [a]);
      d.attachments.push(stored!);
      d.lastModifiedDateTime = stored!.lastModifiedDateTime;
      g.json(201, attachmentJson(ctx.urls.graphUrl, user, d.id, stored!, a.bytes.toString("base64")));
    }),
  );

  mailboxRoutes(router, "GET", "/messages/:id/attachments", ctx, (g, user) =>
    withMailbox(g, user, "Mail.Read", async (t) => {
      const d = findDraft(g, t, g.params.id!);
      g.json(200, {
        "@odata.context": `${ctx.urls.graphUrl}/v1.0/$metadata#users('${encodeURIComponent(user)}')/messages('${encodeURIComponent(d.id)}')/attachments`,
        value: d.attachments.map((a) => {
          const { "@odata.context": _ctx, ...rest } = attachmentJson(ctx.urls.graphUrl, user, d.id, a);
          return rest;
        }),
      });
    }),
  );

  mailboxRoutes(router, "GET", "/messages/:id/attachments/:att", ctx, (g, user) =>
    withMailbox(g, user, "Mail.Read", async (t) => {
      const d = findDraft(g, t, g.params.id!);
      const a = d.attachments.find((x) => x.id === g.params.att);
      if (!a) throw new GraphHttpError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
      g.json(200, attachmentJson(ctx.urls.graphUrl, user, d.id, a, a.size <= 4 * 1024 * 1024 ? readBlobBase64(ctx.dataDir, a.sha256) : undefined));
    }),
  );

  mailboxRoutes(router, "GET", "/messages/:id/attachments/:att/$value", ctx, (g, user) =>
    withMailbox(g, user, "Mail.Read", async (t) => {
      const d = findDraft(g, t, g.params.id!);
      const a = d.attachments.find((x) => x.id === g.params.att);
      if (!a) throw new GraphHttpError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
      g.res.writeHead(200, { "content-type": a.contentType, "content-length": a.size });
      await new Promise<void>((resolve, reject) => createReadStream(blobPath(ctx.dataDir, a.sha256)).on("error", reject).on("end", resolve).pipe(g.res));
    }),
  );

  mailboxRoutes(router, "POST", "/messages/:id/attachments/createUploadSession", ctx, (g, user) =>
    withMailbox(g, user, "Mail.ReadWrite", async (t) => {
      const raw = parseJsonBody(await readGraphBody(g.req));
      const d = findDraft(g, t, g.params.id!);
      const item = isObj(raw) ? prop(raw, "AttachmentItem") : undefined;
      if (!isObj(item)) throw new GraphHttpError(400, "ErrorInvalidParameter", "The value of the parameter 'AttachmentItem' is empty.");
      const type = String(prop(item, "attachmentType") ?? "").toLowerCase();
      const name = prop(item, "name");
      const size = prop(item, "size");
      if (type !== "file") throw new GraphHttpError(400, "ErrorInvalidParameter", "AttachmentItem.attachmentType must be 'file'.");
      if (typeof name !== "string" || !name) throw new GraphHttpError(400, "ErrorInvalidParameter", "AttachmentItem.name is required.");
      if (typeof size !== "number" || !Number.isInteger(size) || size < 0) throw new GraphHttpError(400, "ErrorInvalidParameter", "AttachmentItem.size must be a whole number of bytes.");
      if (size < MIN_UPLOAD_SESSION_BYTES) {
        // graph/outlook-large-attachments, "Errors" (the message text is the sandbox's).
        throw new GraphHttpError(400, "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize", "Attachment size must be at least 2 MiB (2,097,152 bytes); attach smaller files with a single POST to the attachments collection.");
      }
      if (size > MAX_ATTACHMENT_BYTES) throw SIZE_EXCEEDED();
      // The session is created when the file's raw bytes fit; the encoded size is counted as the bytes
      // arrive, so ErrorMessageSizeExceeded can come in the middle of the upload, as observed
      // (microsoft-graph-docs-contrib issue 2561: a 43 MB file failed after 39 MB). Whether Exchange
      // checks anything at creation is unconfirmed.
      if (rawMessageSize(d.content, [...d.attachments.map((a) => a.size), size]) > t.mailbox.maxSendSize) throw SIZE_EXCEEDED();
      const contentType = prop(item, "contentType");
      const contentId = prop(item, "contentId");
      const token = randomBytes(32).toString("base64url");
      const sid = outlookId("AAMkAD");
      mkdirSync(uploadDir(ctx.dataDir), { recursive: true });
      const session: UploadSession = {
        token,
        tenantId: t.user.tenantId,
        mailboxUserId: t.user.id,
        draftId: d.id,
        appId: g.claims.appid,
        name,
        contentType: typeof contentType === "string" && contentType ? contentType : "application/octet-stream",
        size,
        isInline: prop(item, "isInline") === true,
        ...(typeof contentId === "string" && contentId ? { contentId } : {}),
        received: 0,
        file: path.join(uploadDir(ctx.dataDir), token),
        expiresAt: ctx.clock.now() + UPLOAD_SESSION_LIFETIME_MS,
        busy: false,
        sessionId: sid,
      };
      mailState(ctx.store).uploads.set(token, session);
      const uploadUrl =
        `${ctx.urls.uploadUrl}/api/v2.0/Users('${t.user.id}@${t.user.tenantId}')/Messages('${d.id}')` +
        `/AttachmentSessions('${sid}')?authtoken=${token}`;
      g.json(201, {
        "@odata.context": `${ctx.urls.graphUrl}/v1.0/$metadata#microsoft.graph.uploadSession`,
        uploadUrl,
        expirationDateTime: new Date(session.expiresAt).toISOString(),
        nextExpectedRanges: ["0-"],
      });
    }),
  );
}
