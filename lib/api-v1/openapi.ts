import { z } from "zod";
import { historyFilterSchema } from "../schemas/history";
import {
  attemptSchema,
  emailAddressSchema,
  fileAttachmentSchema,
  listQueryExtraSchema,
  messageAcceptedSchema,
  messageListSchema,
  messageRequestSchema,
  messageStatusSchema,
  messageSummarySchema,
  problemSchema,
  recipientDeliverySchema,
  recipientSchema,
  uploadCreatedSchema,
} from "../schemas/api-v1";

/**
 * The OpenAPI 3.1 document of /api/v1, generated from the zod schemas the handlers validate with
 * (lib/schemas/api-v1.ts, lib/schemas/history.ts) by zod's own JSON Schema output
 * (https://zod.dev/json-schema). OpenAPI 3.1 schemas are JSON Schema 2020-12, so they go in unchanged;
 * only the document around them (paths, parameters, responses) is written here.
 */
const SCHEMAS = [
  messageRequestSchema,
  messageAcceptedSchema,
  messageStatusSchema,
  messageSummarySchema,
  messageListSchema,
  attemptSchema,
  recipientDeliverySchema,
  uploadCreatedSchema,
  problemSchema,
  recipientSchema,
  emailAddressSchema,
  fileAttachmentSchema,
];

function componentSchemas(): Record<string, unknown> {
  const reg = z.registry<{ id: string }>();
  for (const s of SCHEMAS) {
    const id = (s.meta() as { id?: string } | undefined)?.id;
    if (id) reg.add(s, { id });
  }
  const out = z.toJSONSchema(reg, { target: "draft-2020-12", io: "input", unrepresentable: "any", uri: (id) => `#/components/schemas/${id}` });
  return strip(out.schemas) as Record<string, unknown>;
}

/** Drops `$schema` (the document's jsonSchemaDialect says it) and the `$id`/`id` keys zod copies from metadata. */
function strip(v: unknown, inProperties = false): unknown {
  if (Array.isArray(v)) return v.map((x) => strip(x));
  if (!v || typeof v !== "object") return v;
  // Inside "properties" the keys are field names: a field called "id" stays.
  const dropped = (k: string, x: unknown) => !inProperties && (k === "$schema" || k === "$id" || (k === "id" && typeof x === "string"));
  return Object.fromEntries(
    Object.entries(v)
      .filter(([k, x]) => !dropped(k, x))
      .map(([k, x]) => [k, strip(x, !inProperties && k === "properties")]),
  );
}

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const problem = (description: string) => ({ description, content: { "application/problem+json": { schema: ref("Problem") } } });
const json = (id: string, description: string) => ({ description, content: { "application/json": { schema: ref(id) } } });

function queryParameters() {
  const shape = { ...historyFilterSchema.shape, ...listQueryExtraSchema.shape } as Record<string, z.ZodType>;
  return Object.entries(shape)
    .filter(([name]) => name !== "tenant")
    .map(([name, s]) => ({ name, in: "query", required: false, schema: strip(z.toJSONSchema(s, { io: "output", unrepresentable: "any" })) }));
}

const AUTH_ERRORS = {
  "401": problem("No key, or an unknown, revoked or expired key."),
  "429": problem("Over the key's per-minute limit or the per-address limit; see Retry-After."),
};

export function openApiDocument(serverUrl: string) {
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: {
      title: "Graph Mail Portal REST API",
      version: "1.0.0",
      description:
        "Send mail through Microsoft Graph from scripts with a scoped API key. A key sends only as the mailboxes an admin granted it. Errors are RFC 9457 problem details naming the field.",
    },
    servers: [{ url: serverUrl }],
    security: [{ apiKey: [] }],
    components: {
      securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "An API key from the portal's API keys page: `Authorization: Bearer gmp_live_…`." } },
      schemas: componentSchemas(),
    },
    paths: {
      "/api/v1/messages": {
        post: {
          operationId: "sendMessage",
          summary: "Queue a message",
          description: "Queues the message as the key; the portal's outbox sends it through Graph sendMail. Answers 202 with the message id and its Location.",
          parameters: [
            {
              name: "Idempotency-Key",
              in: "header",
              required: false,
              description: "Any unique string (a GUID). A retry with the same key and body returns the first result and never sends twice; kept 24 hours.",
              schema: { type: "string", minLength: 1, maxLength: 255 },
            },
          ],
          requestBody: { required: true, content: { "application/json": { schema: ref("MessageRequest") } } },
          responses: {
            "202": { ...json("MessageAccepted", "Queued (or, with a repeated Idempotency-Key, the first request's result)."), headers: { Location: { schema: { type: "string" } } } },
            "400": problem("The body is not JSON."),
            ...AUTH_ERRORS,
            "403": problem("The key may not send as this mailbox. Nothing was queued."),
            "409": problem("A request with the same Idempotency-Key is still in progress."),
            "415": problem("The body is not application/json."),
            "422": problem("Invalid fields (listed in `errors`), a rule of the key, or an Idempotency-Key reused with another body."),
          },
        },
        get: {
          operationId: "listMessages",
          summary: "List the key's messages",
          description: "Newest first, with History's filters; follow `@odata.nextLink` (or pass `cursor`) for the next page.",
          parameters: queryParameters(),
          responses: { "200": json("MessageList", "A page of messages."), "400": problem("A damaged cursor."), ...AUTH_ERRORS, "422": problem("An invalid filter.") },
        },
      },
      "/api/v1/messages/{id}": {
        get: {
          operationId: "getMessage",
          summary: "A message's status",
          description: "Status, every Graph attempt, and why it failed in plain words.",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": json("MessageStatus", "The message."), ...AUTH_ERRORS, "404": problem("No such message among the key's.") },
        },
      },
      "/api/v1/uploads": {
        post: {
          operationId: "uploadAttachment",
          summary: "Upload a large attachment",
          description: "Streams one file (up to 150 MB); list the returned id in a message's attachmentIds.",
          parameters: [{ name: "name", in: "query", required: true, description: "The file name.", schema: { type: "string", maxLength: 255 } }],
          requestBody: { required: true, content: { "application/octet-stream": { schema: { type: "string", contentMediaType: "application/octet-stream" } } } },
          responses: { "201": json("UploadCreated", "Stored."), "400": problem("Empty or interrupted."), ...AUTH_ERRORS, "413": problem("Too large or over the key's upload quota.") },
        },
      },
    },
  };
}
