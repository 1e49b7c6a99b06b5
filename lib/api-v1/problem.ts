import "server-only";
import { z } from "zod";
import { AppError, fieldErrors } from "../errors";
import { logError } from "../log";
import { currentRequestId } from "../request-context";

/**
 * RFC 9457 problem details (https://www.rfc-editor.org/rfc/rfc9457) for every REST API error, served as
 * `application/problem+json`: `type` (a link to the error's section of the API page), `title`, `status`,
 * `detail`, `instance` (the request path), the portal's `code`, and `errors` naming each bad field in
 * the request's own terms (toRecipients.0.emailAddress.address, Idempotency-Key …).
 */
const TITLES: Record<number, string> = {
  400: "Bad request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not found",
  409: "Conflict",
  413: "Content too large",
  415: "Unsupported media type",
  422: "Unprocessable content",
  429: "Too many requests",
  500: "Internal server error",
  507: "Insufficient storage",
};

/** queue-send (an AppError's fields) speaks the compose form's field names; a script wrote Graph's. */
const FIELD_NAMES: Record<string, string> = {
  to: "toRecipients",
  cc: "ccRecipients",
  bcc: "bccRecipients",
  replyTo: "replyTo",
  bodyType: "body.contentType",
  body: "body.content",
  headers: "internetMessageHeaders",
  saveToSent: "saveToSentItems",
};

export const apiFieldName = (f: string): string => FIELD_NAMES[f] ?? f;

export function problemResponse(p: { status: number; code: string; detail: string; instance: string; errors?: Record<string, string>; headers?: Record<string, string>; rename?: boolean }): Response {
  const name = p.rename === false ? (f: string) => f : apiFieldName;
  const body = {
    type: `/api-docs#problem-${p.code.toLowerCase().replace(/_/g, "-")}`,
    title: TITLES[p.status] ?? "Error",
    status: p.status,
    detail: p.detail,
    instance: p.instance,
    code: p.code,
    ...(p.errors && Object.keys(p.errors).length ? { errors: Object.entries(p.errors).map(([field, message]) => ({ field: name(field), message })) } : {}),
  };
  return new Response(JSON.stringify(body), { status: p.status, headers: { "content-type": "application/problem+json", "cache-control": "no-store", ...p.headers } });
}

export function errorProblem(err: unknown, instance: string): Response {
  if (err instanceof z.ZodError) {
    // The request's own field paths; an unknown property is named by itself (a typo such as "tooRecipients").
    const issues = err.issues.flatMap((i) => (i.code === "unrecognized_keys" ? i.keys.map((k) => ({ path: [...i.path, k], message: `Unknown property "${k}"` })) : [i]));
    const fields = fieldErrors(issues, "request");
    return problemResponse({ status: 422, code: "VALIDATION_FAILED", detail: `The request has invalid fields: ${Object.keys(fields).join(", ")}.`, instance, errors: fields, rename: false });
  }
  if (err instanceof AppError) {
    const headers: Record<string, string> = {};
    if (err.status === 401) headers["www-authenticate"] = 'Bearer realm="api"';
    if (err.status === 429 && typeof err.details?.retryAfterSeconds === "number") headers["retry-after"] = String(err.details.retryAfterSeconds);
    return problemResponse({ status: err.status, code: err.code, detail: err.userMessage, instance, errors: err.fields, headers });
  }
  void currentRequestId().then((requestId) => logError("api v1 route failed", err, { requestId }));
  return problemResponse({ status: 500, code: "INTERNAL", detail: "Something went wrong on the server.", instance });
}
