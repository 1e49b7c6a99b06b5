/**
 * Mail control API and inbox view, on the login host under /_sandbox:
 *   GET    /_sandbox/messages?to=&from=&subject=&folder=inbox|sentitems|all
 *            → JSON array of delivered copies (oldest first): id, mailbox, folder, from, to, cc, bcc,
 *              subject, body, internetMessageHeaders, attachments {name, size, sha256, contentType,
 *              downloadUrl}, receivedDateTime, via. `to` = the mailbox the copy was delivered to.
 *   GET    /_sandbox/messages/{id}                 one copy
 *   GET    /_sandbox/messages/{id}/attachments/{n} download attachment n (0-based)
 *   GET    /_sandbox/messages/{id}/mime            a message sent in MIME format, as it was sent (message/rfc822)
 *   DELETE /_sandbox/messages                      forget all delivered mail → {deleted}
 *   GET    /_sandbox/inbox[?mailbox=]              the inbox view for people (inbox-page.ts)
 *   GET    /_sandbox/inbox/messages/{id}           one message, HTML body inside <iframe sandbox srcdoc>
 */
import { createReadStream, existsSync } from "node:fs";
import type { SandboxContext } from "../context";
import { sendHtml, sendJson, type Ctx, type Router } from "../http";
import { blobPath } from "./blobs";
import { messageJson, queryMessages } from "./message-json";
import { inboxListPage, inboxMessagePage, notFoundPage } from "./inbox-page";

function findMessage(ctx: SandboxContext, id: string) {
  return ctx.store.delivered.find((m) => m.id === id);
}

/** Downloads are always octet-stream + attachment: a delivered file must never render on the login origin. */
function download(ctx: SandboxContext, c: Ctx): void {
  const m = findMessage(ctx, c.params.id ?? "");
  const n = Number(c.params.n);
  const a = m && Number.isInteger(n) ? m.attachments[n] : undefined;
  if (!a) return sendJson(c.res, 404, { error: { code: "NotFound", message: "No such message or attachment." } });
  const ascii = a.name.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  const headers = {
    "content-type": "application/octet-stream",
    "content-disposition": `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(a.name)}`,
    "x-content-type-options": "nosniff",
    "content-length": String(a.size),
  };
  const file = blobPath(ctx.dataDir, a.sha256);
  if (existsSync(file)) {
    c.res.writeHead(200, headers);
    createReadStream(file).pipe(c.res);
    return;
  }
  const bytes = Buffer.from(a.contentBytes, "base64");
  c.res.writeHead(200, { ...headers, "content-length": String(bytes.length) });
  c.res.end(bytes);
}

export function registerMailControlRoutes(router: Router, ctx: SandboxContext): void {
  router.on("GET", "/_sandbox/messages", (c) => {
    const q = c.url.searchParams;
    const list = queryMessages(ctx, { to: q.get("to"), from: q.get("from"), subject: q.get("subject"), folder: q.get("folder") });
    sendJson(c.res, 200, list.map((m) => messageJson(ctx, m)));
  });
  router.on("DELETE", "/_sandbox/messages", (c) => {
    const deleted = ctx.store.delivered.length;
    ctx.store.delivered.length = 0;
    sendJson(c.res, 200, { deleted });
  });
  router.on("GET", "/_sandbox/messages/:id", (c) => {
    const m = findMessage(ctx, c.params.id ?? "");
    if (!m) return sendJson(c.res, 404, { error: { code: "NotFound", message: "No such message." } });
    sendJson(c.res, 200, messageJson(ctx, m));
  });
  router.on("GET", "/_sandbox/messages/:id/attachments/:n", (c) => download(ctx, c));
  router.on("GET", "/_sandbox/messages/:id/mime", (c) => {
    const m = findMessage(ctx, c.params.id ?? "");
    const file = m?.mime ? blobPath(ctx.dataDir, m.mime.sha256) : undefined;
    if (!m?.mime || !file || !existsSync(file)) return sendJson(c.res, 404, { error: { code: "NotFound", message: "No such message, or it was not sent in MIME format." } });
    // Served as a download (never rendered on the login origin), like attachments.
    c.res.writeHead(200, { "content-type": "message/rfc822", "content-disposition": 'attachment; filename="message.eml"', "x-content-type-options": "nosniff", "content-length": String(m.mime.size) });
    createReadStream(file).pipe(c.res);
  });
  router.on("GET", "/_sandbox/inbox", (c) => sendHtml(c.res, 200, inboxListPage(ctx, c.url.searchParams.get("mailbox"))));
  router.on("GET", "/_sandbox/inbox/messages/:id", (c) => {
    const m = findMessage(ctx, c.params.id ?? "");
    if (!m) return sendHtml(c.res, 404, notFoundPage(ctx));
    sendHtml(c.res, 200, inboxMessagePage(ctx, m));
  });
}
