import { z } from "zod";
import { SEND_MODES, SEND_STATUSES } from "./history";
import { EXCHANGE_LIMITS, isEmail, isStorableText } from "./common";

/**
 * The REST API's (/api/v1) request and response shapes: the handlers validate with these, and the
 * OpenAPI document (lib/api-v1/openapi.ts) is generated from the same schemas with z.toJSONSchema, so
 * the document cannot drift from what the handlers accept. The message is Microsoft Graph's message
 * resource, as scripts already write it for sendMail
 * (https://learn.microsoft.com/en-us/graph/api/user-sendmail#request-body), plus `attachmentIds` for
 * files uploaded first with POST /api/v1/uploads.
 */
const NO_CRLF = /^[^\r\n]*$/;
const storable = (what: string) => [isStorableText, `${what} cannot contain NUL characters or unpaired surrogates`] as const;

export const emailAddressSchema = z
  .object({
    address: z.string({ error: "Enter an email address" }).max(320, "An address has at most 320 characters").refine(isEmail, "Not an email address"),
    name: z.string().max(255, "A display name has at most 255 characters").regex(NO_CRLF, "A display name is one line").optional(),
  })
  .meta({ id: "EmailAddress" });

export const recipientSchema = z.object({ emailAddress: emailAddressSchema }).meta({ id: "Recipient", description: "Graph's recipient resource." });

const recipients = (what: string) =>
  z.array(recipientSchema).max(EXCHANGE_LIMITS.recipientsPerMessage, `At most ${EXCHANGE_LIMITS.recipientsPerMessage} ${what}`).optional();

export const fileAttachmentSchema = z
  .object({
    "@odata.type": z.literal("#microsoft.graph.fileAttachment", { error: 'Only "#microsoft.graph.fileAttachment" attachments are supported' }),
    name: z.string({ error: "Name the attachment" }).min(1, "Name the attachment").max(255, "At most 255 characters").refine(...storable("The name")),
    contentType: z.string().max(255).optional(),
    contentBytes: z
      .string({ error: "Give the file's bytes in base64" })
      .min(1, "The attachment is empty")
      .max(4_000_000, "Inline attachments are at most about 3 MB; upload larger files with POST /api/v1/uploads and list them in attachmentIds")
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, "contentBytes must be base64"),
    isInline: z.boolean().optional(),
    contentId: z.string().max(255).optional(),
  })
  .meta({ id: "FileAttachment" });

export const messageRequestSchema = z
  .strictObject({
    from: recipientSchema.meta({ description: "A sender mailbox the key is granted." }),
    subject: z.string().max(255, "The subject is 255 characters at most").regex(NO_CRLF, "The subject cannot contain line breaks").refine(...storable("The subject")).default(""),
    body: z
      .object({
        contentType: z.enum(["text", "html", "Text", "HTML"], { error: 'contentType is "text" or "html"' }).default("html"),
        content: z.string().max(2_000_000, "The body is about 2 MB at most").refine(...storable("The body")).default(""),
      })
      .optional(),
    toRecipients: recipients("To recipients"),
    ccRecipients: recipients("Cc recipients"),
    bccRecipients: recipients("Bcc recipients"),
    replyTo: z.array(recipientSchema).max(50, "At most 50 Reply-To addresses").optional(),
    importance: z.enum(["low", "normal", "high"], { error: 'importance is "low", "normal" or "high"' }).default("normal"),
    internetMessageHeaders: z
      .array(z.object({ name: z.string().regex(/^[xX]-[A-Za-z0-9-]{1,98}$/, "Custom header names start with x- (Graph refuses others)"), value: z.string().max(998).regex(NO_CRLF, "Header values are one line") }))
      .max(EXCHANGE_LIMITS.customHeaders, `At most ${EXCHANGE_LIMITS.customHeaders} custom headers (Graph's limit)`)
      .optional(),
    attachments: z.array(fileAttachmentSchema).max(50, "At most 50 attachments").optional(),
    attachmentIds: z.array(z.string().regex(/^[a-f0-9]{32}$/, "Not an upload id from POST /api/v1/uploads")).max(50, "At most 50 uploaded attachments").optional(),
    saveToSentItems: z.boolean().default(true),
  })
  .superRefine((m, ctx) => {
    const n = (m.toRecipients?.length ?? 0) + (m.ccRecipients?.length ?? 0) + (m.bccRecipients?.length ?? 0);
    if (n === 0) ctx.addIssue({ code: "custom", path: ["toRecipients"], message: "Add at least one recipient in toRecipients, ccRecipients or bccRecipients" });
    if (n > EXCHANGE_LIMITS.recipientsPerMessage) ctx.addIssue({ code: "custom", path: ["toRecipients"], message: `At most ${EXCHANGE_LIMITS.recipientsPerMessage} recipients in all (Graph's limit)` });
  })
  .meta({ id: "MessageRequest", description: "Graph's message resource (subset) plus attachmentIds and saveToSentItems." });

export type MessageRequest = z.infer<typeof messageRequestSchema>;

export const messageAcceptedSchema = z
  .object({ id: z.string(), status: z.enum(SEND_STATUSES), location: z.string().describe("The message's URL (also in the Location header).") })
  .meta({ id: "MessageAccepted" });

export const attemptSchema = z
  .object({
    number: z.int(),
    operation: z.string().nullable(),
    startedAt: z.iso.datetime(),
    durationMs: z.int().nullable(),
    httpStatus: z.int().nullable(),
    graphCode: z.string().nullable(),
    message: z.string().nullable(),
    requestId: z.string().nullable(),
    outcome: z.string(),
  })
  .meta({ id: "Attempt" });

export const recipientDeliverySchema = z
  .object({
    recipient: z.string(),
    status: z
      .enum(["delivered", "pending", "failed", "quarantined", "filteredAsSpam", "expanded", "gettingStatus"])
      .describe("Exchange message trace's status for this recipient (exchangeMessageTraceStatus)."),
    receivedAt: z.iso.datetime().nullable(),
    checkedAt: z.iso.datetime(),
  })
  .meta({ id: "RecipientDelivery" });

export const messageStatusSchema = z
  .object({
    id: z.string(),
    status: z.enum(SEND_STATUSES),
    mode: z.enum(SEND_MODES),
    from: z.string(),
    toRecipients: z.array(z.string()),
    ccRecipients: z.array(z.string()),
    bccRecipients: z.array(z.string()),
    subject: z.string(),
    createdAt: z.iso.datetime(),
    completedAt: z.iso.datetime().nullable(),
    attemptCount: z.int(),
    errorCode: z.string().nullable(),
    failure: z.object({ title: z.string(), detail: z.string(), action: z.string() }).nullable().describe("Why the message failed, in plain words, and what to do."),
    attempts: z.array(attemptSchema),
    deliveryStatus: z
      .enum(["pending", "delivered", "failed"])
      .nullable()
      .describe("After Graph's 202, from Exchange message trace when the tenant grants it: delivered (every recipient), failed (a recipient failed, was quarantined or filtered as spam), pending; null when not traced."),
    delivery: z.array(recipientDeliverySchema).describe("Per-recipient delivery from message trace (empty until traced)."),
  })
  .meta({ id: "MessageStatus" });

export const messageSummarySchema = z
  .object({
    id: z.string(),
    status: z.enum(SEND_STATUSES),
    from: z.string(),
    toRecipients: z.array(z.string()),
    recipientCount: z.int(),
    subject: z.string(),
    createdAt: z.iso.datetime(),
    completedAt: z.iso.datetime().nullable(),
    attemptCount: z.int(),
    errorCode: z.string().nullable(),
  })
  .meta({ id: "MessageSummary" });

export const messageListSchema = z
  .object({ value: z.array(messageSummarySchema), nextCursor: z.string().nullable(), "@odata.nextLink": z.string().nullable() })
  .meta({ id: "MessageList" });

export const uploadCreatedSchema = z
  .object({ id: z.string(), name: z.string(), size: z.int(), contentType: z.string(), sha256: z.string() })
  .meta({ id: "UploadCreated" });

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    instance: z.string(),
    code: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: "Problem", description: "RFC 9457 problem details (https://www.rfc-editor.org/rfc/rfc9457)." });

/** GET /api/v1/messages query: the History filters (minus tenant and key, which the key fixes) and a page. */
export const listQueryExtraSchema = z.object({
  cursor: z.string().max(200).regex(/^[A-Za-z0-9_-]+$/, "That cursor is damaged").optional(),
  limit: z.coerce.number({ error: "limit is a number" }).int("limit is a whole number").min(1, "limit is at least 1").max(200, "limit is at most 200").optional(),
});
