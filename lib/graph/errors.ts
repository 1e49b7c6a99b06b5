import "server-only";
import { GraphError } from "@microsoft/microsoft-graph-client";
import { AuthError } from "@azure/msal-node";
import { AppError } from "../errors";
import { explainError, type ErrorFacts } from "./explain";
import { retryAfterMs } from "./retry-after";

/** What the portal records about a failed Microsoft call (a SendAttempt row, the log, support). */
export interface GraphFailure extends ErrorFacts {
  requestId?: string | null;
  clientRequestId?: string | null;
  /** A network failure after the request may have left: the outcome is unknown. */
  network?: boolean;
  /** A network failure before any connection was made (client.ts): the request never left. */
  notConnected?: boolean;
}

/** GraphError.code of a request that never reached Microsoft: no connection was made (client.ts). */
export const NOT_CONNECTED = "NotConnected";

function header(headers: unknown, name: string): string | null {
  if (headers && typeof (headers as Headers).get === "function") return (headers as Headers).get(name);
  return null;
}

/**
 * The vendor boundary for errors: MSAL's AuthError/ServerError (AADSTS), the Graph SDK's GraphError, the
 * parsed JSON body an upload session throws (LIBRARY-NOTES), and network errors — into one shape.
 */
export function graphFailure(err: unknown): GraphFailure {
  if (err instanceof GraphError) {
    const retry = retryAfterMs(header(err.headers, "retry-after"));
    return {
      httpStatus: err.statusCode || null,
      graphCode: err.code ?? null,
      message: err.message,
      requestId: header(err.headers, "request-id") ?? err.requestId ?? null,
      clientRequestId: header(err.headers, "client-request-id"),
      retryAfterSeconds: retry === null ? null : Math.ceil(retry / 1000),
      network: err.statusCode === -1 || err.statusCode === 0,
      notConnected: err.code === NOT_CONNECTED,
    };
  }
  if (err instanceof AuthError) {
    const e = err as AuthError & { errorNo?: string; status?: number };
    const no = Number(e.errorNo);
    return { httpStatus: e.status ?? null, aadsts: Number.isFinite(no) && no > 0 ? no : null, oauthError: e.errorCode, message: e.errorMessage?.split("\n")[0] ?? e.message };
  }
  if (err && typeof err === "object" && "error" in err && typeof (err as { error: unknown }).error === "object") {
    const body = (err as { error: { code?: string; message?: string; innerError?: Record<string, string> } }).error;
    return { graphCode: body.code ?? null, message: body.message ?? null, requestId: body.innerError?.["request-id"] ?? null, clientRequestId: body.innerError?.["client-request-id"] ?? null };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { message, network: /ECONNRESET|ETIMEDOUT|socket hang up|fetch failed|aborted|ECONNREFUSED/i.test(message) };
}

export function toGraphAppError(err: unknown, context: { sender?: string | null; restriction?: string | null }): AppError {
  if (err instanceof AppError) return err;
  const f = graphFailure(err);
  const x = explainError({ ...f, ...context });
  return new AppError(f.graphCode ?? (f.aadsts ? `AADSTS${f.aadsts}` : f.oauthError ?? "GRAPH_ERROR"), {
    userMessage: `${x.title}. ${x.detail} ${x.action}`,
    status: f.httpStatus && f.httpStatus >= 400 && f.httpStatus < 500 ? 422 : 502,
    details: { httpStatus: f.httpStatus ?? undefined, graphCode: f.graphCode ?? undefined, aadsts: f.aadsts ?? undefined, requestId: f.requestId ?? undefined, clientRequestId: f.clientRequestId ?? undefined },
    cause: err,
  });
}
