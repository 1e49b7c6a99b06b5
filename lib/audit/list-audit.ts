import "server-only";
import { Prisma } from "@/generated/prisma/client";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { decodeCursor, encodeCursor } from "../history/cursor";
import type { AuditFilter } from "../schemas/audit";
import { assertMayReadAudit } from "./access";
import { auditView, type AuditEventView } from "./view";
import { auditAfterSql, auditFilterSql, auditListSql, type AuditRow } from "./where";

export const AUDIT_PAGE_SIZE = 50;

export interface AuditPage {
  rows: AuditEventView[];
  /** Cursor of the next (older) page, when there is one. */
  next: string | null;
  /** Cursor of the previous (newer) page, when there is one. */
  prev: string | null;
}

/**
 * One page of audit events, newest first, by keyset on (at, id) — the same cursor as history, so a page
 * costs the same on page 1 and page 1,000 and equal timestamps are neither skipped nor repeated.
 * `dir: "prev"` walks towards newer events (ascending, then reversed).
 */
export async function listAudit(
  actor: SessionUser,
  filter: AuditFilter,
  page: { cursor?: string; dir?: "next" | "prev"; limit?: number } = {},
): Promise<AuditPage> {
  assertMayReadAudit(actor);
  const limit = Math.min(Math.max(page.limit ?? AUDIT_PAGE_SIZE, 1), 200);
  const dir = page.dir ?? "next";
  const cursor = page.cursor ? decodeCursor(page.cursor) : null;
  const conditions = [auditFilterSql(filter)];
  if (cursor) conditions.push(auditAfterSql(cursor, dir));
  const backwards = cursor !== null && dir === "prev";
  const fetched = await db().$queryRaw<AuditRow[]>(
    auditListSql(Prisma.join(conditions, " AND "), backwards ? "asc" : "desc", limit + 1),
  );
  const more = fetched.length > limit;
  const rows = fetched.slice(0, limit);
  if (backwards) rows.reverse();
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (!first || !last) return { rows: [], next: null, prev: null };
  const edge = (r: AuditRow) => encodeCursor({ createdAt: r.at, id: r.id });
  return {
    rows: rows.map(auditView),
    next: backwards || more ? edge(last) : null,
    prev: backwards ? (more ? edge(first) : null) : cursor ? edge(first) : null,
  };
}
