/**
 * Exchange message trace: what `GET /admin/exchange/tracing/messageTraces` reports, kept per message and
 * recipient from the sandbox's own delivery (exchange/delivery.ts):
 *   - a mailbox (or an external address) that received its copy → "delivered";
 *   - an unknown address in one of the tenant's domains, or the daily recipient limit → "failed" (the NDR);
 *   - a group → "expanded", and one row per member it expanded to;
 *   - a recipient the control API quarantines or filters as spam → "quarantined" / "filteredAsSpam",
 *     with no inbox copy.
 * Status names are the exchangeMessageTraceStatus values in camelCase, as the v1.0 examples show them
 * ("delivered"; graph/api/resources/exchangemessagetrace). The detail events (Receive, Deliver, Fail…)
 * follow Get-MessageTraceDetailV2's event names; the exact description texts for quarantine and spam
 * are **unconfirmed** (no published sample) and say so in their `data`.
 */
import { randomUUID } from "node:crypto";
import type { SandboxContext } from "../context";
import type { Guid } from "../model";
import { mailState, type TraceEvent, type TraceRecord, type TraceStatus } from "./mail-state";
import { norm } from "./recipients";

export interface TraceOutcome {
  address: string;
  status: TraceStatus;
  reason?: string;
}

/** The control API's fault for this recipient, if any: its mail is held instead of delivered. */
export function traceVerdict(ctx: SandboxContext, address: string): "quarantined" | "filteredAsSpam" | undefined {
  const s = mailState(ctx.store).traceSettings;
  const a = norm(address);
  if (s.quarantine.has(a)) return "quarantined";
  if (s.filteredAsSpam.has(a)) return "filteredAsSpam";
  return undefined;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

function eventsFor(status: TraceStatus, at: number, reason: string | undefined): TraceEvent[] {
  const receive: TraceEvent = { dateTime: iso(at), event: "Receive", action: "", description: "Message received by: SANDBOX01.prod.sandbox.local", data: "" };
  const later = iso(at + 2000);
  switch (status) {
    case "delivered":
      return [receive, { dateTime: later, event: "Deliver", action: "", description: "The message was successfully delivered.", data: "" }];
    case "failed":
      return [receive, { dateTime: later, event: "Fail", action: "", description: `Reason: [{LED=${reason ?? "550 5.1.10 RESOLVER.ADR.RecipientNotFound"}}]`, data: "" }];
    case "expanded":
      return [receive, { dateTime: later, event: "Expand", action: "", description: "The message was sent to a distribution group and expanded to its members.", data: "" }];
    case "quarantined":
      return [receive, { dateTime: later, event: "Quarantine", action: "Quarantine", description: "The message was quarantined by a policy.", data: "sandbox: description text unconfirmed" }];
    case "filteredAsSpam":
      return [receive, { dateTime: later, event: "Spam", action: "MoveToJmf", description: "The message was filtered as spam.", data: "sandbox: description text unconfirmed" }];
    default:
      return [receive];
  }
}

/** One row per distinct recipient address of a message (the first outcome of an address wins). */
export function recordTraces(
  ctx: SandboxContext,
  m: { tenantId: Guid; messageId: string; senderAddress: string; subject: string; size: number; receivedAt: number; outcomes: TraceOutcome[] },
): void {
  const id = randomUUID();
  const seen = new Set<string>();
  const rows = mailState(ctx.store).traces;
  for (const o of m.outcomes) {
    const key = norm(o.address);
    if (seen.has(key)) continue;
    seen.add(key);
    rows.push({
      id, tenantId: m.tenantId, messageId: m.messageId, senderAddress: m.senderAddress, recipientAddress: o.address, subject: m.subject, size: m.size,
      status: o.status, receivedDateTime: iso(m.receivedAt), fromIP: "127.0.0.1", toIP: "", events: eventsFor(o.status, m.receivedAt, o.reason),
    });
  }
}

/** A row as Graph shows it: "pending" while the sandbox's pendingSeconds have not passed. */
export function traceView(ctx: SandboxContext, r: TraceRecord): Record<string, unknown> {
  const pendingFor = mailState(ctx.store).traceSettings.pendingSeconds * 1000;
  const pending = pendingFor > 0 && ctx.clock.now() < Date.parse(r.receivedDateTime) + pendingFor;
  return {
    id: r.id, senderAddress: r.senderAddress, recipientAddress: r.recipientAddress, messageId: r.messageId, receivedDateTime: r.receivedDateTime,
    subject: r.subject, size: r.size, fromIP: r.fromIP, toIP: r.toIP, status: pending ? "pending" : r.status,
  };
}

export function traceEvents(ctx: SandboxContext, r: TraceRecord): TraceEvent[] {
  const pendingFor = mailState(ctx.store).traceSettings.pendingSeconds * 1000;
  if (pendingFor > 0 && ctx.clock.now() < Date.parse(r.receivedDateTime) + pendingFor) return r.events.slice(0, 1);
  return r.events;
}

/**
 * Message trace's own throttling: 100 requests per 5 minutes (list-messagetraces and getDetailsByRecipient
 * notes), counted per tenant on the sandbox clock. Returns the seconds to wait when over, else null
 * after counting the request. Whether Microsoft counts per tenant or per app is not stated; per tenant
 * is the stricter reading (unconfirmed).
 */
export function takeTraceRequest(ctx: SandboxContext, tenantId: string): number | null {
  const st = mailState(ctx.store);
  const { throttleLimit, throttleWindowSeconds } = st.traceSettings;
  const now = ctx.clock.now();
  const windowMs = throttleWindowSeconds * 1000;
  const list = (st.traceRequests.get(tenantId) ?? []).filter((t) => t > now - windowMs);
  if (list.length >= throttleLimit) {
    st.traceRequests.set(tenantId, list);
    return Math.max(1, Math.ceil((list[0]! + windowMs - now) / 1000));
  }
  list.push(now);
  st.traceRequests.set(tenantId, list);
  return null;
}
