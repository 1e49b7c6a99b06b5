import "server-only";
import { Prisma } from "@/generated/prisma/client";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { csvLine } from "../history/csv";
import type { AuditFilter } from "../schemas/audit";
import { assertMayReadAudit } from "./access";
import { auditView, type AuditEventView } from "./view";
import { auditAfterSql, auditFilterSql, auditListSql, type AuditRow } from "./where";

const BATCH = 1000;

export const AUDIT_CSV_HEADER = ["at", "actor", "action", "target", "tenant", "before", "after"] as const;

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

/** One CSV line; cells go through history's csvCell, so "=…" targets are never run as formulas. */
export function auditCsvRow(e: AuditEventView): string {
  return csvLine([e.at, e.actor, e.action, e.target, e.tenantName, json(e.before), json(e.after)]);
}

/** Every event of a filtered view, newest first, in keyset batches: one batch in memory at a time. */
async function* auditBatches(filter: AuditFilter, batch: number): AsyncGenerator<AuditEventView[]> {
  const base = auditFilterSql(filter);
  let after: { createdAt: Date; id: string } | null = null;
  for (;;) {
    const where: Prisma.Sql = after ? Prisma.join([base, auditAfterSql(after, "next")], " AND ") : base;
    const rows: AuditRow[] = await db().$queryRaw<AuditRow[]>(auditListSql(where, "desc", batch));
    if (rows.length > 0) yield rows.map(auditView);
    if (rows.length < batch) return;
    const last: AuditRow = rows[rows.length - 1]!;
    after = { createdAt: last.at, id: last.id };
  }
}

/**
 * The filtered audit trail as a CSV byte stream (UTF-8 with a BOM so Excel reads accents). Pull-based:
 * the next batch is read only when the client has taken the last one; a cancelled download stops reading.
 * The role is checked before the stream exists, so a refused caller gets a 403, not an empty file.
 */
export function exportAudit(actor: SessionUser, filter: AuditFilter, batch = BATCH): ReadableStream<Uint8Array> {
  assertMayReadAudit(actor);
  const enc = new TextEncoder();
  const batches = auditBatches(filter, batch);
  let started = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true;
          controller.enqueue(enc.encode("\uFEFF" + csvLine([...AUDIT_CSV_HEADER])));
          return;
        }
        const { value, done } = await batches.next();
        if (done) {
          controller.close();
          return;
        }
        controller.enqueue(enc.encode(value.map(auditCsvRow).join("")));
      },
      async cancel() {
        await batches.return(undefined);
      },
    },
    { highWaterMark: 1 },
  );
}
