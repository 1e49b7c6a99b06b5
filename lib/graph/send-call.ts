import "server-only";
import { randomUUID } from "node:crypto";
import { ResponseType, RetryHandlerOptions, type Client } from "@microsoft/microsoft-graph-client";
import { graphFailure, type GraphFailure } from "./errors";
import { retryAfterMs as parseRetryAfter } from "./retry-after";

/**
 * One Graph call for the outbox, with everything a SendAttempt records. The SDK's RetryHandler is
 * switched off here (RetryHandlerOptions with 0 retries): the outbox retries throttled sends itself,
 * so every try is a logged attempt and the person sees "retrying in N s". The response is read RAW so
 * the request-id of a success (202) is kept too, and a client timeout (AbortSignal) is reported as a
 * network failure: the request may have reached Microsoft, which the caller turns into `uncertain`.
 */
export interface CallOutcome {
  ok: boolean;
  status: number | null;
  body: unknown;
  headers: Headers | null;
  durationMs: number;
  clientRequestId: string;
  requestId: string | null;
  retryAfterMs: number | null;
  failure: GraphFailure | null;
}

export interface CallSpec {
  method: "GET" | "POST" | "DELETE";
  path: string;
  body?: unknown;
  /** Sent as given (default application/json); MIME sendMail uses text/plain with a base64 string body. */
  contentType?: string;
  timeoutMs: number;
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export async function graphCall(client: Client, spec: CallSpec): Promise<CallOutcome> {
  const clientRequestId = randomUUID();
  const started = performance.now();
  const req = client
    .api(spec.path)
    .header("client-request-id", clientRequestId)
    .middlewareOptions([new RetryHandlerOptions(0, 0)])
    .option("signal", AbortSignal.timeout(spec.timeoutMs))
    .responseType(ResponseType.RAW);
  if (spec.contentType) req.header("Content-Type", spec.contentType);
  let res: Response;
  try {
    res = (spec.method === "POST" ? await req.post(spec.body ?? {}) : spec.method === "DELETE" ? await req.delete() : await req.get()) as Response;
  } catch (err) {
    const failure = graphFailure(err);
    // The SDK wraps fetch's AbortError/TypeError into a GraphError with statusCode -1.
    const network = failure.network || !failure.httpStatus || failure.httpStatus <= 0;
    return {
      ok: false, status: null, body: null, headers: null, durationMs: Math.round(performance.now() - started), clientRequestId,
      requestId: failure.requestId ?? null, retryAfterMs: null,
      failure: { ...failure, httpStatus: network ? null : failure.httpStatus, network, clientRequestId },
    };
  }
  const body = await readBody(res);
  const durationMs = Math.round(performance.now() - started);
  const headers = res.headers;
  const requestId = headers.get("request-id");
  const retry = parseRetryAfter(headers.get("retry-after"));
  if (res.ok) return { ok: true, status: res.status, body, headers, durationMs, clientRequestId, requestId, retryAfterMs: null, failure: null };
  const envelope = body && typeof body === "object" && "error" in body ? (body as { error: { code?: string; message?: string } }).error : null;
  return {
    ok: false, status: res.status, body, headers, durationMs, clientRequestId, requestId, retryAfterMs: retry,
    failure: {
      httpStatus: res.status,
      graphCode: envelope?.code ?? null,
      message: envelope?.message ?? (typeof body === "string" ? body.slice(0, 500) : null),
      requestId,
      clientRequestId: headers.get("client-request-id") ?? clientRequestId,
      retryAfterSeconds: retry === null ? null : Math.ceil(retry / 1000),
    },
  };
}

/** Throttling and temporary unavailability: worth another try after Retry-After. */
export function isTransientStatus(status: number | null): boolean {
  return status === 429 || status === 503 || status === 504 || status === 502;
}
