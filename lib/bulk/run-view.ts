import "server-only";
import type { BulkRunStatus } from "@/generated/prisma/enums";
import type { SessionUser } from "../auth/session";
import { db } from "../db";
import { DEFAULT_OPTIONS } from "../outbox/options";
import { findVisibleRun, visibleRunsWhere } from "./access";
import { asRunAttachment, type RunAttachment } from "./attachment";
import { runPlaceholders } from "./run-fields";
import { renderHtml, renderSubject, type Fields } from "./template";

/**
 * What the run's page and its progress route show: counts (queued / sent / failed …), an estimate of
 * the time left from the mailbox's pacing (Exchange's 30 messages a minute, lib/outbox/options.ts),
 * and each recipient's result with the id of its send (a link into History).
 */
export interface RunProgress {
  id: string;
  status: BulkRunStatus;
  stopReason: string | null;
  total: number;
  pending: number;
  /** In the outbox, not final yet. */
  inOutbox: number;
  sent: number;
  failed: number;
  uncertain: number;
  skipped: number;
  /** Seconds until the last message should be accepted, at the mailbox's pace; null when nothing is left. */
  etaSeconds: number | null;
  perMinute: number;
}

export interface RecipientView {
  id: string;
  address: string;
  displayName: string | null;
  status: string;
  sendId: string | null;
  error: string | null;
  /** Message trace's status for this recipient after acceptance (lib/delivery), when traced. */
  delivery: string | null;
}

export async function runProgress(actor: SessionUser, runId: string): Promise<RunProgress> {
  const run = await findVisibleRun(actor, runId);
  const rows = await db().$queryRaw<{ state: string; n: number }[]>`
    SELECT CASE WHEN r.status = 'queued' THEN coalesce(s.status::text, 'purged') ELSE r.status END AS state, count(*)::int AS n
    FROM "BulkRecipient" r LEFT JOIN "Send" s ON s.id = r."sendId"
    WHERE r."runId" = ${run.id} GROUP BY 1`;
  const c = (...k: string[]) => rows.filter((r) => k.includes(r.state)).reduce((n, r) => n + r.n, 0);
  const perMinute = DEFAULT_OPTIONS.pace.perMinute;
  const pending = run.status === "cancelled" ? 0 : c("pending");
  const inOutbox = c("queued", "sending", "retrying");
  const left = pending + inOutbox;
  return {
    id: run.id, status: run.status, stopReason: run.stopReason, total: run.total,
    pending, inOutbox, sent: c("accepted", "purged"), failed: c("failed", "refused"), uncertain: c("uncertain"), skipped: c("skipped") + (run.status === "cancelled" ? c("pending") : 0),
    etaSeconds: left > 0 && run.status !== "draft" ? Math.ceil((left / perMinute) * 60) : null,
    perMinute,
  };
}

export async function runRecipients(actor: SessionUser, runId: string, take = 500): Promise<RecipientView[]> {
  const run = await findVisibleRun(actor, runId);
  const rows = await db().bulkRecipient.findMany({
    where: { runId: run.id }, orderBy: { position: "asc" }, take,
    select: { id: true, address: true, fields: true, status: true, sendId: true, error: true, send: { select: { status: true, errorMessage: true, deliveries: { select: { recipient: true, status: true } } } } },
  });
  return rows.map((r) => ({
    id: r.id, address: r.address, displayName: (r.fields as Fields | null)?.displayName ?? null,
    status: r.status === "queued" ? (r.send?.status ?? "accepted") : r.status,
    sendId: r.sendId, error: r.error ?? r.send?.errorMessage ?? null,
    delivery: r.send?.deliveries.find((d) => d.recipient === r.address.toLowerCase())?.status ?? null,
  }));
}

export interface RunDetail {
  id: string;
  name: string;
  tenantName: string;
  fromAddress: string;
  source: string;
  since: Date | null;
  subject: string;
  html: string;
  ccAddresses: string[];
  attachment: RunAttachment | null;
  status: string;
  total: number;
  createdAt: Date;
  createdByName: string;
  mine: boolean;
  placeholders: string[];
}

export async function runDetail(actor: SessionUser, runId: string): Promise<RunDetail> {
  const run = await findVisibleRun(actor, runId);
  const extra = await db().bulkRun.findUniqueOrThrow({ where: { id: run.id }, select: { tenant: { select: { name: true } }, createdBy: { select: { name: true, email: true } } } });
  return {
    id: run.id, name: run.name, tenantName: extra.tenant.name, fromAddress: run.fromAddress, source: run.source, since: run.since,
    subject: run.subject, html: run.html, ccAddresses: run.ccAddresses, attachment: asRunAttachment(run.attachment), status: run.status,
    total: run.total, createdAt: run.createdAt, createdByName: extra.createdBy.name ?? extra.createdBy.email, mine: run.createdById === actor.id,
    placeholders: await runPlaceholders(run.id),
  };
}

/** One recipient's message as it will be sent (the first recipient when none is chosen). */
export async function previewRecipient(actor: SessionUser, runId: string, recipientId?: string): Promise<{ recipientId: string; address: string; subject: string; html: string } | null> {
  const run = await findVisibleRun(actor, runId);
  const r = await db().bulkRecipient.findFirst({
    where: { runId: run.id, ...(recipientId ? { id: recipientId } : {}) }, orderBy: { position: "asc" }, select: { id: true, address: true, fields: true },
  });
  if (!r) return null;
  const fields = (r.fields ?? {}) as Fields;
  return { recipientId: r.id, address: r.address, subject: renderSubject(run.subject, fields), html: renderHtml(run.html, fields) };
}

export async function listRuns(actor: SessionUser) {
  return db().bulkRun.findMany({
    where: visibleRunsWhere(actor), orderBy: { createdAt: "desc" }, take: 100,
    select: { id: true, name: true, status: true, total: true, fromAddress: true, createdAt: true, tenant: { select: { name: true } }, createdBy: { select: { name: true, email: true } } },
  });
}
