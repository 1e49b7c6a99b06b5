/**
 * Mail on the Graph host:
 *   POST /v1.0/{users/{id|upn}|me}/sendMail                 (graph/api/user-sendmail) → 202, no body
 *   POST /v1.0/{…}/messages                                  (graph/api/user-post-messages) draft → 201
 * Both accept JSON, or Content-Type text/plain with a base64 MIME message (mime-input.ts).
 *   GET|DELETE /v1.0/{…}/messages/{id}                       (graph/api/message-get, message-delete)
 *   POST /v1.0/{…}/messages/{id}/send                        (graph/api/message-send) → 202
 * Attachments and upload sessions are in attachment-routes.ts.
 */
import { randomBytes } from "node:crypto";
import type { SandboxContext } from "../context";
import { mailState, type Draft } from "../exchange/mail-state";
import type { Router } from "../http";
import { readGraphBody, parseJsonBody } from "./body";
import { draftJson, outlookId } from "./message-view";
import { checkSendMailBody } from "./csdl-check";
import { parseMessage } from "./message-input";
import { decodeMimeBody, isMimeRequest, parseMimeMessage, SEND_AS_DENIED } from "./mime-input";
import { mailboxTarget, type MailboxTarget } from "./mailbox-target";
import { GraphHttpError, graphRoute, type GraphCall } from "./pipeline";
import { checkSize, storeInlineAttachments, submit } from "./submit";

/** Both spellings of the mailbox segment: /users/{id|upn} and /me. */
export function mailboxRoutes(router: Router, method: string, suffix: string, ctx: SandboxContext, h: (g: GraphCall, user: string) => Promise<void>): void {
  router.on(method, `/v1.0/users/:user${suffix}`, graphRoute(ctx, (g) => h(g, g.params.user!)));
  router.on(method, `/v1.0/me${suffix}`, graphRoute(ctx, (g) => h(g, "me")));
}

/** Runs fn with the mailbox's concurrency slot held, after the injected latency. */
export async function withMailbox(g: GraphCall, user: string, permission: string, fn: (t: MailboxTarget) => Promise<void>): Promise<void> {
  const t = await mailboxTarget(g, user, permission);
  try {
    await g.latency();
    await fn(t);
  } finally {
    t.release();
  }
}

export function findDraft(g: GraphCall, t: MailboxTarget, id: string): Draft {
  const d = mailState(g.ctx.store).drafts.get(id);
  if (!d || d.mailboxUserId !== t.user.id) {
    throw new GraphHttpError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
  }
  return d;
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

export function registerMailRoutes(router: Router, ctx: SandboxContext): void {
  mailboxRoutes(router, "POST", "/sendMail", ctx, (g, user) =>
    withMailbox(g, user, "Mail.Send", async (t) => {
      if (isMimeRequest(g.req.headers["content-type"])) {
        // MIME format: no saveToSentItems parameter exists, so the default (true) applies.
        const { content, attachments, fromNameHasAt } = await parseMimeMessage(ctx.dataDir, decodeMimeBody(await readGraphBody(g.req)));
        if (fromNameHasAt) throw SEND_AS_DENIED();
        checkSize(t, content, attachments.map((a) => a.bytes.length));
        submit(g, t, content, storeInlineAttachments(ctx, attachments), "sendMail", true);
        g.empty(202);
        return;
      }
      const body = parseJsonBody(await readGraphBody(g.req));
      if (!isObj(body)) throw new GraphHttpError(400, "ErrorInvalidRequest", "The request body must be a JSON object.");
      checkSendMailBody(body);
      const key = (k: string) => Object.keys(body).find((x) => x.toLowerCase() === k.toLowerCase());
      const messageKey = key("message");
      if (!messageKey) throw new GraphHttpError(400, "ErrorInvalidParameter", "The value of the parameter 'Message' is empty.");
      const saveKey = key("saveToSentItems");
      const save = saveKey === undefined ? true : body[saveKey] !== false && String(body[saveKey]).toLowerCase() !== "false";
      const { content, attachments } = parseMessage(body[messageKey]);
      // Size is checked before anything is written to the blob store.
      checkSize(t, content, attachments.map((a) => a.bytes.length));
      submit(g, t, content, storeInlineAttachments(ctx, attachments), "sendMail", save);
      g.empty(202);
    }),
  );

  mailboxRoutes(router, "POST", "/messages", ctx, (g, user) =>
    withMailbox(g, user, "Mail.ReadWrite", async (t) => {
      const raw = await readGraphBody(g.req);
      const { content, attachments } = isMimeRequest(g.req.headers["content-type"])
        ? await parseMimeMessage(ctx.dataDir, decodeMimeBody(raw))
        : parseMessage(parseJsonBody(raw));
      checkSize(t, content, attachments.map((a) => a.bytes.length));
      const now = new Date(ctx.clock.now()).toISOString();
      const draft: Draft = {
        id: outlookId(),
        tenantId: t.user.tenantId,
        mailboxUserId: t.user.id,
        createdDateTime: now,
        lastModifiedDateTime: now,
        internetMessageId: `<${randomBytes(12).toString("hex").toUpperCase()}@${t.mailbox.primarySmtpAddress.split("@")[1]}>`,
        conversationId: outlookId("AAQkAD"),
        content,
        attachments: storeInlineAttachments(ctx, attachments),
      };
      mailState(ctx.store).drafts.set(draft.id, draft);
      g.json(201, draftJson(ctx.urls.graphUrl, user, draft));
    }),
  );

  mailboxRoutes(router, "GET", "/messages/:id", ctx, (g, user) =>
    withMailbox(g, user, "Mail.Read", async (t) => {
      g.json(200, draftJson(ctx.urls.graphUrl, user, findDraft(g, t, g.params.id!)));
    }),
  );

  mailboxRoutes(router, "DELETE", "/messages/:id", ctx, (g, user) =>
    withMailbox(g, user, "Mail.ReadWrite", async (t) => {
      const d = findDraft(g, t, g.params.id!);
      mailState(ctx.store).drafts.delete(d.id);
      g.empty(204);
    }),
  );

  mailboxRoutes(router, "POST", "/messages/:id/send", ctx, (g, user) =>
    withMailbox(g, user, "Mail.Send", async (t) => {
      g.req.resume();
      const d = findDraft(g, t, g.params.id!);
      const st = mailState(ctx.store);
      if ([...st.uploads.values()].some((u) => u.draftId === d.id)) {
        // Outlook refuses to send while an attachment upload is unfinished (sandbox wording).
        throw new GraphHttpError(400, "ErrorInvalidRequest", "The message has an attachment upload session that is not complete.");
      }
      submit(g, t, d.content, d.attachments, "draft", true);
      st.drafts.delete(d.id);
      g.empty(202);
    }),
  );
}
