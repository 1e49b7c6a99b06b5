/**
 * Every Graph-host request goes through graphRoute(): request ids, injected faults, the bearer
 * token check, then the handler. Errors use Graph's envelope (graph/errors):
 *   {"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}
 * with `request-id` and `client-request-id` response headers (the client's id echoed).
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FaultConfig, SandboxContext } from "../context";
import { resolveRecipient } from "../exchange/recipients";
import type { Ctx, Handler } from "../http";
import type { TokenClaims } from "../model";

export interface GraphCall extends Ctx {
  ctx: SandboxContext;
  requestId: string;
  clientRequestId: string;
  claims: TokenClaims;
  error(status: number, code: string, message: string, headers?: Record<string, string>): void;
  json(status: number, body: unknown, headers?: Record<string, string>): void;
  /** A response with no body and no Content-Type (sendMail's 202: the SDK throws on an empty JSON body). */
  empty(status: number, headers?: Record<string, string>): void;
  /** Applies the request's latency (scoped, else sandbox-wide) once; handlers call it after taking their mailbox slot. */
  latency(): Promise<void>;
}

export class GraphHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** innerError.date: Graph shows UTC without milliseconds or zone ("2024-05-01T10:11:12"). */
const graphDate = (ms: number) => new Date(ms).toISOString().slice(0, 19);

export function sendGraphError(
  ctx: SandboxContext,
  res: ServerResponse,
  ids: { requestId: string; clientRequestId: string },
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  const body = JSON.stringify({
    error: { code, message, innerError: { date: graphDate(ctx.clock.now()), "request-id": ids.requestId, "client-request-id": ids.clientRequestId } },
  });
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function requestIds(req: IncomingMessage, res: ServerResponse): { requestId: string; clientRequestId: string } {
  const requestId = randomUUID();
  const given = req.headers["client-request-id"];
  const clientRequestId = (Array.isArray(given) ? given[0] : given)?.slice(0, 100) || requestId;
  res.setHeader("request-id", requestId);
  res.setHeader("client-request-id", clientRequestId);
  return { requestId, clientRequestId };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Codes Graph uses for the statuses a fault can inject (graph/errors; 429 as Outlook sends it). */
const FAULT_CODES: Record<number, [string, string]> = {
  429: ["ApplicationThrottled", "Application is over its MailboxConcurrency limit."],
  500: ["generalException", "An unspecified error has occurred."],
  502: ["badGateway", "Bad gateway."],
  503: ["serviceNotAvailable", "The service is temporarily unavailable. Try again after the number of seconds in the Retry-After header."],
  504: ["gatewayTimeout", "The gateway timed out."],
};

/**
 * A fault setting (ctx.faults, or a scoped one): with probability `rate` a request is answered by one
 * of `statuses` (0 = the connection is dropped) instead of being served. Returns true when the request
 * was consumed by a fault.
 */
export function applyFault(ctx: SandboxContext, req: IncomingMessage, res: ServerResponse, ids: { requestId: string; clientRequestId: string }, f: FaultConfig = ctx.faults): boolean {
  if (!(f.rate > 0) || f.statuses.length === 0 || Math.random() >= f.rate) return false;
  const status = f.statuses[Math.floor(Math.random() * f.statuses.length)]!;
  if (status === 0) {
    req.socket.destroy();
    return true;
  }
  const [code, message] = FAULT_CODES[status] ?? ["UnknownError", `Injected fault ${status}.`];
  const headers: Record<string, string> = {};
  if ((status === 429 || status === 503) && f.retryAfterSeconds > 0) {
    headers["retry-after"] = f.retryAfterFormat === "http-date" ? new Date(ctx.clock.now() + f.retryAfterSeconds * 1000).toUTCString() : String(Math.ceil(f.retryAfterSeconds));
  }
  req.resume();
  sendGraphError(ctx, res, ids, status, code, message, headers);
  return true;
}

export async function applyLatency(ctx: SandboxContext, f: FaultConfig = ctx.faults): Promise<void> {
  const ms = f.latencyMs + (f.latencyJitterMs ? Math.random() * f.latencyJitterMs : 0);
  if (ms > 0) await sleep(ms);
}

/**
 * The scoped fault setting for a request, if one matches: its clientId is the token's appid and/or its
 * mailbox is the mailbox the request acts on (/users/{id|upn}/… or, for /me, the signed-in user). The
 * most specific match wins (app and mailbox over either alone).
 */
export function scopedFaultFor(ctx: SandboxContext, claims: TokenClaims, userSegment: string | undefined): FaultConfig | undefined {
  if (!ctx.scopedFaults.length) return undefined;
  let target: string | undefined;
  const targetId = () => {
    if (target !== undefined || userSegment === undefined) return target;
    target = userSegment === "me" ? claims.oid : resolveRecipient(ctx.store, claims.tid, userSegment)?.id ?? "";
    return target;
  };
  const matches = ctx.scopedFaults.filter((s) => {
    if (s.clientId && s.clientId.toLowerCase() !== claims.appid.toLowerCase()) return false;
    if (s.mailbox) {
      const id = targetId();
      if (!id || resolveRecipient(ctx.store, claims.tid, s.mailbox)?.id !== id) return false;
    }
    return true;
  });
  matches.sort((a, b) => Number(!!b.clientId) + Number(!!b.mailbox) - (Number(!!a.clientId) + Number(!!a.mailbox)));
  return matches[0]?.config;
}

/** Writes a handled request's answer now, or after ctx.faults.responseDelayMs (the work is already done). */
function answerLater(ctx: SandboxContext, write: () => void): void {
  const delay = ctx.faults.responseDelayMs ?? 0;
  if (delay > 0) setTimeout(write, delay);
  else write();
}

/** Wraps a Graph handler: ids, faults, token verification (401 InvalidAuthenticationToken), errors. */
export function graphRoute(ctx: SandboxContext, handler: (g: GraphCall) => Promise<void>): Handler {
  return async (c: Ctx) => {
    const ids = requestIds(c.req, c.res);
    if (applyFault(ctx, c.req, c.res, ids)) return;
    const verified = await ctx.verifyGraphToken(c.req.headers.authorization);
    if (!verified.ok) {
      c.req.resume();
      // Graph also points at the authority that issues its tokens.
      const wwwAuth = `Bearer realm="", authorization_uri="${ctx.urls.loginUrl}/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`;
      sendGraphError(ctx, c.res, ids, 401, "InvalidAuthenticationToken", verified.message, { "www-authenticate": wwwAuth });
      return;
    }
    const userSegment = c.params.user ?? (/^\/v1\.0\/me(\/|$)/i.test(c.url.pathname) ? "me" : undefined);
    const scoped = scopedFaultFor(ctx, verified.claims, userSegment);
    if (scoped && applyFault(ctx, c.req, c.res, ids, scoped)) return;
    let waited = false;
    const g: GraphCall = {
      ...c,
      ctx,
      ...ids,
      claims: verified.claims,
      error: (status, code, message, headers) => sendGraphError(ctx, c.res, ids, status, code, message, headers),
      json: (status, body, headers = {}) => {
        const text = JSON.stringify(body);
        answerLater(ctx, () => {
          c.res.writeHead(status, { "content-type": "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
          c.res.end(text);
        });
      },
      empty: (status, headers = {}) => {
        answerLater(ctx, () => {
          c.res.writeHead(status, { "content-length": "0", ...headers });
          c.res.end();
        });
      },
      latency: async () => {
        if (waited) return;
        waited = true;
        await applyLatency(ctx, scoped ?? ctx.faults);
      },
    };
    try {
      await handler(g);
    } catch (e) {
      // Drain an unread body so the connection stays usable for the client's next request.
      if (!c.req.readableEnded) c.req.resume();
      if (e instanceof GraphHttpError) g.error(e.status, e.code, e.message, e.headers);
      else {
        console.error("[sandbox graph]", e);
        g.error(500, "generalException", "An unspecified error has occurred.");
      }
    }
  };
}
