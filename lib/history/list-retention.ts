import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { forbidden } from "../errors";

/** Each tenant's retention settings and how many sends it holds (admins and auditors). */
export async function listRetention(actor: SessionUser) {
  if (actor.role !== "admin" && actor.role !== "auditor") throw forbidden("see retention settings");
  const rows = await db().tenant.findMany({
    orderBy: { name: "asc" },
    select: { id: true, name: true, retentionDays: true, metadataOnly: true, _count: { select: { sends: true } } },
  });
  // The purge audits only runs that removed something (lib/history/purge-sends.ts): show the latest.
  const purges = await db().auditEvent.findMany({
    where: { action: "history.purged", tenantId: { in: rows.map((r) => r.id) } },
    orderBy: { at: "desc" },
    distinct: ["tenantId"],
    select: { tenantId: true, at: true, after: true },
  });
  const last = new Map(purges.map((p) => [p.tenantId, p]));
  return rows.map(({ _count, ...t }) => {
    const p = last.get(t.id);
    const after = (p?.after ?? {}) as { deleted?: number; stripped?: number };
    return { ...t, sendCount: _count.sends, lastPurge: p ? { at: p.at, deleted: after.deleted ?? 0, stripped: after.stripped ?? 0 } : null };
  });
}
