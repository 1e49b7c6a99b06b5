import "server-only";
import type { Prisma } from "@/generated/prisma/client";
import { recordAudit } from "../audit/record";
import { db } from "../db";
import { graphClient } from "../graph/client";
import { loadTenantAccess } from "../graph/tenant-access";
import { appToken } from "../graph/tokens";
import { JOB_SHARE } from "./budget";
import { deliverySummary, FINAL_STATUSES } from "./status";
import { listTraces, odataDate, odataString, TraceUnavailable, type TraceCallOptions, type TraceRow } from "./trace-client";

/**
 * One run of the trace join for one tenant (lib/delivery/trace-job.ts holds the tenant's lock around it):
 * the tenant's accepted — and uncertain — sends of the last `lookbackMs` whose delivery is not final are
 * looked up in Exchange message trace and joined, per recipient, into SendDelivery rows.
 *
 * Correlation. Graph's sendMail answers 202 with no body, so the portal does not learn the Internet
 * Message-ID (learn.microsoft.com/graph/api/user-sendmail). Setting it ourselves is not documented for
 * sendMail: the message resource lets internetMessageId be written only while the message is a draft
 * (learn.microsoft.com/graph/api/message-update), and reports of setting it through sendMail disagree
 * (github.com/microsoftgraph/msgraph-sdk-dotnet/issues/2320). Reading it back from Sent Items needs
 * Mail.Read and a saved copy. So the main path needs nothing extra: per sender, one query for the window
 * (`senderAddress eq … and receivedDateTime ge … le …`), then each send is matched to a message of that
 * sender whose recipients include the send's, received within [queued − 1 min, finished + 15 min], the
 * same subject preferred (required for an uncertain send), then the nearest in time; each Message-ID is
 * given to one send only. The
 * Message-ID found is then stored on the send, so later runs join by it.
 *
 * Uncertain sends (the portal died or timed out after handing the message over): found in the trace →
 * accepted, with the evidence; not found once `graceMs` have passed since the send was last tried →
 * the evidence of the search is stored and an admin is offered "safe to send again" (never resent here).
 */
export interface PollOptions {
  lookbackMs: number;
  graceMs: number;
  pageSize: number;
  maxWaitMs: number;
  now?: Date;
  sleep?: (ms: number) => Promise<void>;
}

export interface PollResult {
  sends: number;
  matched: number;
  requests: number;
  resolvedUncertain: number;
  notFoundUncertain: number;
  error?: string;
}

const MATCH_BEFORE_MS = 60_000;
const MATCH_AFTER_MS = 15 * 60_000;
const TEN_DAYS = 10 * 86_400_000;

type Todo = Prisma.SendGetPayload<{ select: typeof TODO_SELECT }>;
const TODO_SELECT = {
  id: true, tenantId: true, status: true, fromAddress: true, toAddresses: true, ccAddresses: true, bccAddresses: true, subject: true,
  createdAt: true, updatedAt: true, completedAt: true, internetMessageId: true, deliveryCheckedAt: true,
} as const;

const recipientsOf = (s: Pick<Todo, "toAddresses" | "ccAddresses" | "bccAddresses">) => [...new Set([...s.toAddresses, ...s.ccAddresses, ...s.bccAddresses].map((a) => a.toLowerCase()))];

/** Groups trace rows into messages (one Message-ID each). */
function messagesOf(rows: TraceRow[]) {
  const byId = new Map<string, { messageId: string; subject: string; at: number; rows: TraceRow[] }>();
  for (const r of rows) {
    const key = r.messageId || r.id;
    const m = byId.get(key) ?? { messageId: r.messageId, subject: r.subject, at: Date.parse(r.receivedDateTime), rows: [] };
    m.rows.push(r);
    m.at = Math.min(m.at, Date.parse(r.receivedDateTime));
    byId.set(key, m);
  }
  return [...byId.values()];
}

export async function pollTenant(tenantId: string, o: PollOptions): Promise<PollResult> {
  const now = o.now ?? new Date();
  const result: PollResult = { sends: 0, matched: 0, requests: 0, resolvedUncertain: 0, notFoundUncertain: 0 };
  const since = new Date(now.getTime() - Math.min(o.lookbackMs, TEN_DAYS - 60_000));
  const todo = await db().send.findMany({
    where: { tenantId, status: { in: ["accepted", "uncertain"] }, test: false, createdAt: { gte: since }, OR: [{ deliveryState: null }, { deliveryState: "pending" }] },
    select: TODO_SELECT,
    orderBy: { createdAt: "asc" },
    take: 2000,
  });
  result.sends = todo.length;
  if (!todo.length) return result;

  const t = await loadTenantAccess(tenantId);
  const client = graphClient(t, async () => (await appToken(t)).accessToken);
  const call: TraceCallOptions = { tenantId, maxWaitMs: o.maxWaitMs, budget: JOB_SHARE, sleep: o.sleep };
  const bySender = new Map<string, Todo[]>();
  for (const s of todo) bySender.set(s.fromAddress.toLowerCase(), [...(bySender.get(s.fromAddress.toLowerCase()) ?? []), s]);
  // Senders whose sends were looked at least recently go first: when the budget runs out mid-run, the next
  // run starts with the senders this one did not reach, so no sender waits forever behind busier ones.
  const lastLooked = (list: Todo[]) => Math.min(...list.map((s) => s.deliveryCheckedAt?.getTime() ?? 0));
  const order = [...bySender.entries()].sort((a, b) => lastLooked(a[1]) - lastLooked(b[1]));

  try {
    for (const [sender, sends] of order) {
      const start = new Date(Math.max(sends[0]!.createdAt.getTime() - MATCH_BEFORE_MS, now.getTime() - TEN_DAYS + 60_000));
      const filter = `senderAddress eq ${odataString(sender)} and receivedDateTime ge ${odataDate(start)} and receivedDateTime le ${odataDate(now)}`;
      const rows = await listTraces(client, filter, o.pageSize, call);
      result.requests += Math.max(1, Math.ceil(rows.length / o.pageSize));
      await joinSender(sends, messagesOf(rows), now, o, result);
    }
    await db().traceState.update({ where: { tenantId }, data: { lastRunAt: now, lastError: null } }).catch(() => undefined);
  } catch (err) {
    if (!(err instanceof TraceUnavailable)) throw err;
    result.error = err.message;
    await db().traceState.upsert({ where: { tenantId }, create: { tenantId, lastRunAt: now, lastError: err.message }, update: { lastRunAt: now, lastError: err.message } });
  }
  return result;
}

/**
 * How far a send's acceptance is from a traced message's receivedDateTime. A time on a whole second is
 * taken as truncated (the sandbox's trace gives whole seconds — 12:00:46Z for a message received at
 * 12:00:46.650; whether Microsoft's always does is unconfirmed): the message was received somewhere in
 * that second, so a send accepted within it is at distance 0 — otherwise the next second's message would
 * look nearer.
 */
function distanceMs(ref: number, at: number): number {
  const width = at % 1000 === 0 ? 999 : 0;
  return ref < at ? at - ref : ref > at + width ? ref - (at + width) : 0;
}

async function joinSender(sends: Todo[], messages: ReturnType<typeof messagesOf>, now: Date, o: PollOptions, result: PollResult): Promise<void> {
  // Message-IDs already given to a send (this run or earlier) are not given to another.
  const known = await db().send.findMany({ where: { internetMessageId: { in: messages.map((m) => m.messageId).filter(Boolean) } }, select: { id: true, internetMessageId: true } });
  const owner = new Map(known.map((k) => [k.internetMessageId!, k.id]));
  const chosen = new Map<string, ReturnType<typeof messagesOf>[number]>();
  const taken = new Set<string>();
  for (const s of sends) {
    const m = s.internetMessageId ? messages.find((x) => x.messageId === s.internetMessageId) : undefined;
    if (m) {
      chosen.set(s.id, m);
      taken.add(m.messageId);
    }
  }
  // Every (send, message) pair that could be the same mail, best first: the same subject, then the
  // nearest in time. Taken in that order across all sends of the sender — not send by send — so a send
  // whose own message has not been traced yet cannot take a look-alike that belongs to a later send.
  const pairs: { s: Todo; m: ReturnType<typeof messagesOf>[number]; sameSubject: boolean; distance: number }[] = [];
  for (const s of sends) {
    if (s.internetMessageId) continue;
    const recipients = recipientsOf(s);
    const from = s.createdAt.getTime() - MATCH_BEFORE_MS;
    const to = (s.completedAt ?? s.updatedAt).getTime() + MATCH_AFTER_MS;
    const ref = (s.completedAt ?? s.createdAt).getTime();
    for (const x of messages) {
      if (taken.has(x.messageId) || (owner.has(x.messageId) && owner.get(x.messageId) !== s.id)) continue;
      if (x.at < from || x.at > to) continue;
      // Marking an uncertain send delivered needs strong evidence: its own subject too, never a look-alike.
      if (s.status === "uncertain" && x.subject !== s.subject) continue;
      const got = new Set(x.rows.map((r) => r.recipientAddress));
      if (!recipients.some((r) => got.has(r))) continue;
      pairs.push({ s, m: x, sameSubject: x.subject === s.subject, distance: distanceMs(ref, x.at) });
    }
  }
  pairs.sort((a, b) => Number(b.sameSubject) - Number(a.sameSubject) || a.distance - b.distance);
  for (const p of pairs) {
    if (chosen.has(p.s.id) || taken.has(p.m.messageId)) continue;
    chosen.set(p.s.id, p.m);
    taken.add(p.m.messageId);
  }
  for (const s of sends) {
    const m = chosen.get(s.id);
    if (m) {
      result.matched++;
      await recordMatch(s, recipientsOf(s), m, now, result);
    } else {
      await recordMiss(s, recipientsOf(s), now, o, messages.length, result);
    }
  }
}

async function recordMatch(s: Todo, recipients: string[], m: ReturnType<typeof messagesOf>[number], now: Date, result: PollResult): Promise<void> {
  const statuses: { recipient: string; status: string }[] = [];
  for (const recipient of recipients) {
    const row = m.rows.find((r) => r.recipientAddress === recipient);
    const status = row?.status || "pending";
    statuses.push({ recipient, status });
    await db().sendDelivery.upsert({
      where: { sendId_recipient: { sendId: s.id, recipient } },
      create: { sendId: s.id, recipient, status, traceId: row?.id ?? m.rows[0]?.id ?? null, messageId: m.messageId || null, receivedAt: row ? new Date(row.receivedDateTime) : null, lastCheckedAt: now },
      update: { status, traceId: row?.id ?? m.rows[0]?.id ?? null, messageId: m.messageId || null, receivedAt: row ? new Date(row.receivedDateTime) : null, lastCheckedAt: now },
    });
  }
  const deliveryState = deliverySummary(statuses.map((x) => x.status));
  await db().send.update({ where: { id: s.id }, data: { internetMessageId: m.messageId || null, deliveryState, deliveryCheckedAt: now } });
  if (s.status === "uncertain") {
    const evidence = { resolution: "found-in-trace", checkedAt: now.toISOString(), messageId: m.messageId, receivedDateTime: new Date(m.at).toISOString(), recipients: statuses };
    const n = await db().send.updateMany({
      where: { id: s.id, status: "uncertain" },
      data: { status: "accepted", completedAt: s.completedAt ?? new Date(m.at), errorCode: null, errorMessage: null, traceEvidence: evidence },
    });
    if (n.count) {
      result.resolvedUncertain++;
      await recordAudit({ actor: null, action: "send.uncertain-resolved", target: s.id, tenantId: s.tenantId, before: { status: "uncertain" }, after: { status: "accepted", deliveryState, messageId: m.messageId } });
    }
  }
}

async function recordMiss(s: Todo, recipients: string[], now: Date, o: PollOptions, examined: number, result: PollResult): Promise<void> {
  const lastTried = (s.completedAt ?? s.updatedAt).getTime();
  if (s.status === "uncertain" && now.getTime() - lastTried >= o.graceMs) {
    const evidence = {
      resolution: "not-found",
      checkedAt: now.toISOString(),
      sender: s.fromAddress.toLowerCase(),
      recipients,
      windowStart: new Date(s.createdAt.getTime() - MATCH_BEFORE_MS).toISOString(),
      windowEnd: now.toISOString(),
      messagesExamined: examined,
    };
    await db().send.update({ where: { id: s.id }, data: { deliveryCheckedAt: now, traceEvidence: evidence } });
    result.notFoundUncertain++;
    return;
  }
  await db().send.update({ where: { id: s.id }, data: { deliveryCheckedAt: now } });
}

export { FINAL_STATUSES };
