import "server-only";
import type { Client } from "@microsoft/microsoft-graph-client";
import { AppError } from "../errors";
import { graphCall } from "../graph/send-call";
import { blockTrace, takeTraceBudget } from "./budget";

/**
 * The vendor boundary for message trace (learn.microsoft.com/graph/api/messagetracingroot-list-messagetraces,
 * graph/api/exchangemessagetrace-getdetailsbyrecipient): typed rows out, paging by @odata.nextLink followed
 * as given (graph/paging), every request taken from the tenant's budget (budget.ts), and a 429 honoured by
 * its Retry-After (seconds; graph/throttling) before the same page is asked again.
 */
export interface TraceRow {
  id: string;
  messageId: string;
  senderAddress: string;
  recipientAddress: string;
  subject: string;
  status: string;
  receivedDateTime: string;
}

export interface TraceEvent {
  dateTime: string;
  event: string;
  action: string;
  description: string;
}

export interface TraceCallOptions {
  tenantId: string;
  /** Longest single wait (budget or Retry-After) before giving up until the next run. */
  maxWaitMs: number;
  /** The job's share of the budget (budget.ts JOB_SHARE); on-demand reads use the whole limit. */
  budget?: number;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export class TraceUnavailable extends Error {
  constructor(
    readonly reason: "denied" | "throttled" | "failed",
    message: string,
    readonly waitMs: number | null = null,
  ) {
    super(message);
  }
}

const sleepFor = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** OData string literal: a quote is doubled (OData ABNF, SQUOTE-in-string). */
export const odataString = (s: string) => `'${s.replace(/'/g, "''")}'`;
export const odataDate = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

async function getTraced(client: Client, path: string, o: TraceCallOptions): Promise<unknown> {
  const sleep = o.sleep ?? sleepFor;
  for (let tries = 0; tries < 5; tries++) {
    const b = await takeTraceBudget(o.tenantId, o.budget);
    if (!b.ok) {
      if (b.waitMs > o.maxWaitMs) throw new TraceUnavailable("throttled", "The message trace budget (100 requests per 5 minutes) is spent; the next run goes on.", b.waitMs);
      await sleep(b.waitMs);
      continue;
    }
    const r = await graphCall(client, { method: "GET", path, timeoutMs: o.timeoutMs ?? 60_000 });
    if (r.ok) return r.body;
    if (r.status === 429) {
      const wait = r.retryAfterMs ?? 60_000;
      await blockTrace(o.tenantId, wait);
      if (wait > o.maxWaitMs) throw new TraceUnavailable("throttled", `Message trace answered 429; Retry-After ${Math.ceil(wait / 1000)} s.`, wait);
      await sleep(wait);
      continue;
    }
    if (r.status === 401 || r.status === 403) {
      throw new TraceUnavailable("denied", `Message trace refused (${r.status} ${r.failure?.graphCode ?? ""}): the app needs ExchangeMessageTrace.Read.All with admin consent, and the tenant the message trace service principal (8bd644d1-64a1-4d4b-ae52-2e0cbf64e373).`);
    }
    throw new TraceUnavailable("failed", `Message trace failed: HTTP ${r.status ?? "no answer"} ${r.failure?.graphCode ?? ""} ${r.failure?.message ?? ""}`.trim());
  }
  throw new TraceUnavailable("throttled", "Message trace kept throttling; the next run goes on.");
}

const str = (v: unknown) => (typeof v === "string" ? v : "");

/** Every trace row matching the filter, all pages. */
export async function listTraces(client: Client, filter: string, pageSize: number, o: TraceCallOptions): Promise<TraceRow[]> {
  let next: string | null = `/admin/exchange/tracing/messageTraces?$filter=${encodeURIComponent(filter)}&$top=${pageSize}`;
  const out: TraceRow[] = [];
  for (let page = 0; next; page++) {
    if (page > 200) throw new TraceUnavailable("failed", "Message trace kept returning pages; stopped at 200.");
    const body = (await getTraced(client, next, o)) as { value?: Record<string, unknown>[]; "@odata.nextLink"?: string } | null;
    for (const v of body?.value ?? []) {
      out.push({
        id: str(v.id), messageId: str(v.messageId), senderAddress: str(v.senderAddress).toLowerCase(), recipientAddress: str(v.recipientAddress).toLowerCase(),
        subject: str(v.subject), status: str(v.status), receivedDateTime: str(v.receivedDateTime),
      });
    }
    next = body?.["@odata.nextLink"] ?? null;
  }
  return out;
}

export async function traceDetails(client: Client, traceId: string, recipient: string, o: TraceCallOptions): Promise<TraceEvent[]> {
  if (!/^[A-Za-z0-9-]{1,100}$/.test(traceId)) throw new AppError("VALIDATION", { userMessage: "That trace id is not valid.", status: 422 });
  const path = `/admin/exchange/tracing/messageTraces/${traceId}/getDetailsByRecipient(recipientAddress=${encodeURIComponent(odataString(recipient))})`;
  const body = (await getTraced(client, path, o)) as { value?: Record<string, unknown>[] } | null;
  return (body?.value ?? []).map((v) => ({ dateTime: str(v.dateTime), event: str(v.event), action: str(v.action), description: str(v.description) }));
}
