/**
 * Message trace on the Graph host (graph/api/messagetracingroot-list-messagetraces,
 * graph/api/exchangemessagetrace-getdetailsbyrecipient, graph/api/resources/exchangemessagetrace):
 *   GET /v1.0/admin/exchange/tracing/messageTraces[?$filter&$top&$skiptoken]
 *   GET /v1.0/admin/exchange/tracing/messageTraces/{id}/getDetailsByRecipient(recipientAddress='…')
 * - Permission ExchangeMessageTrace.Read.All (application role, or delegated scope); without it 403.
 *   The 403's code and text are unconfirmed (no published sample): Graph's generic Authorization_RequestDenied.
 * - $filter: receivedDateTime ge/le, senderAddress, recipientAddress, messageId, status, id, fromIP, toIP (eq),
 *   joined with `and`/`or`. (subject's contains/startsWith/endsWith are documented but not served here: 400.) With both receivedDateTime bounds the span must be ≤ 10 days, the start ≤ 90 days
 *   ago and the end not after now (5 minutes of clock skew tolerated — unconfirmed); without bounds, the
 *   last 48 hours (the documented default). Violations → 400 BadRequest (text unconfirmed).
 * - $top 1..5000, default 1000; the next page's full URL in @odata.nextLink ($skiptoken), newest first.
 * - Throttling: 100 requests per 5 minutes (both calls count) → 429 + Retry-After (seconds), code
 *   TooManyRequests (Graph's generic throttling code, graph/throttling; unconfirmed for this API).
 */
import type { SandboxContext } from "../context";
import { mailState } from "../exchange/mail-state";
import { takeTraceRequest, traceEvents, traceView } from "../exchange/message-trace";
import type { Router } from "../http";
import { matches, parseFilter, type FilterNode } from "./odata-filter";
import { GraphHttpError, graphRoute, type GraphCall } from "./pipeline";

const PERMISSION = "ExchangeMessageTrace.Read.All";
const BASE = "/v1.0/admin/exchange/tracing/messageTraces";
const DAY = 86_400_000;
const SKEW = 5 * 60_000;
const FILTERABLE = new Map(["id", "messageId", "senderAddress", "recipientAddress", "status", "receivedDateTime", "fromIP", "toIP"].map((x) => [x.toLowerCase(), x]));

function requireTrace(g: GraphCall): void {
  const held = g.claims.idtyp === "app" ? (g.claims.roles ?? []) : (g.claims.scp ?? "").split(" ");
  if (!held.includes(PERMISSION)) throw new GraphHttpError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
}

function throttle(g: GraphCall): void {
  const wait = takeTraceRequest(g.ctx, g.claims.tid);
  if (wait !== null) throw new GraphHttpError(429, "TooManyRequests", "Too many requests. Message trace allows 100 requests per 5 minutes.", { "retry-after": String(wait) });
}

/** receivedDateTime bounds from the top-level `and` chain of the filter. */
function bounds(n: FilterNode | undefined): { ge?: number; le?: number } {
  const out: { ge?: number; le?: number } = {};
  const walk = (x: FilterNode): void => {
    if (x.t === "and") {
      walk(x.a);
      walk(x.b);
      return;
    }
    if (x.t === "cmp" && x.prop === "receivedDateTime" && typeof x.v === "string" && (x.op === "ge" || x.op === "le" || x.op === "gt" || x.op === "lt")) {
      out[x.op === "ge" || x.op === "gt" ? "ge" : "le"] = Date.parse(x.v);
    }
  };
  if (n) walk(n);
  return out;
}

function list(g: GraphCall): void {
  let q = g.url.searchParams;
  let offset = 0;
  const skip = q.get("$skiptoken");
  if (skip) {
    try {
      const parsed = JSON.parse(Buffer.from(skip, "base64url").toString("utf8")) as { q: string; o: number };
      q = new URLSearchParams(parsed.q);
      offset = parsed.o;
    } catch {
      throw new GraphHttpError(400, "BadRequest", "The $skiptoken is not valid.");
    }
  }
  const topRaw = q.get("$top");
  const top = topRaw === null ? 1000 : Number(topRaw);
  if (!Number.isInteger(top) || top < 1 || top > 5000) throw new GraphHttpError(400, "BadRequest", `Invalid $top '${topRaw}': the page size must be between 1 and 5000.`);
  const filter = q.get("$filter");
  const node = filter ? parseFilter(filter, FILTERABLE, "exchangeMessageTrace") : undefined;
  const now = g.ctx.clock.now();
  const b = bounds(node);
  if ((b.ge === undefined) !== (b.le === undefined)) throw new GraphHttpError(400, "BadRequest", "Filter on receivedDateTime with both a start (ge) and an end (le).");
  const start = b.ge ?? now - 2 * DAY;
  const end = b.le ?? now;
  if (end - start > 10 * DAY) throw new GraphHttpError(400, "BadRequest", "The receivedDateTime interval must not exceed 10 days.");
  if (start < now - 90 * DAY) throw new GraphHttpError(400, "BadRequest", "The start of the receivedDateTime interval must not be more than 90 days ago.");
  if (end > now + SKEW) throw new GraphHttpError(400, "BadRequest", "The end of the receivedDateTime interval must not be later than the current date.");
  const rows = mailState(g.ctx.store)
    .traces.filter((r) => r.tenantId === g.claims.tid)
    .map((r) => traceView(g.ctx, r))
    .filter((r) => {
      const at = Date.parse(r.receivedDateTime as string);
      return at >= start && at <= end && (!node || matches(node, r));
    })
    .reverse();
  const page = rows.slice(offset, offset + top);
  const body: Record<string, unknown> = { "@odata.context": `${g.ctx.urls.graphUrl}/v1.0/$metadata#admin/exchange/tracing/messageTraces` };
  if (offset + top < rows.length) {
    const token = Buffer.from(JSON.stringify({ q: q.toString(), o: offset + top })).toString("base64url");
    body["@odata.nextLink"] = `${g.ctx.urls.graphUrl}${BASE}?$skiptoken=${token}`;
  }
  body.value = page;
  g.json(200, body);
}

function details(g: GraphCall, id: string, fn: string): void {
  const m = /^getDetailsByRecipient\(recipientAddress='((?:[^']|'')*)'\)$/i.exec(fn);
  if (!m) throw new GraphHttpError(400, "BadRequest", "Expected getDetailsByRecipient(recipientAddress='…').");
  const recipient = m[1]!.replace(/''/g, "'").toLowerCase();
  const row = mailState(g.ctx.store).traces.find((r) => r.tenantId === g.claims.tid && r.id === id && r.recipientAddress.toLowerCase() === recipient);
  if (!row) throw new GraphHttpError(404, "ResourceNotFound", "Resource could not be discovered.");
  g.json(200, {
    "@odata.context": `${g.ctx.urls.graphUrl}/v1.0/$metadata#Collection(microsoft.graph.exchangeMessageTraceDetail)`,
    value: traceEvents(g.ctx, row).map((e) => ({ id: row.id, messageId: row.messageId, ...e })),
  });
}

export function registerTraceRoutes(router: Router, ctx: SandboxContext): void {
  router.on("GET", BASE, graphRoute(ctx, async (g) => {
    await g.latency();
    requireTrace(g);
    throttle(g);
    list(g);
  }));
  router.on("GET", `${BASE}/:id/:fn`, graphRoute(ctx, async (g) => {
    await g.latency();
    requireTrace(g);
    throttle(g);
    details(g, g.params.id!, g.params.fn!);
  }));
}
