import "server-only";
import { Prisma } from "@/generated/prisma/client";
import type { AuditFilter } from "../schemas/audit";
import { pgTimestamp } from "../history/cursor";

/**
 * The WHERE clause of a filtered audit view (alias `a` for "AuditEvent"). Text filters are literal
 * substrings (strpos, not LIKE), so `%`, `_` and quotes in what someone typed mean only themselves;
 * every value is a bound parameter.
 */
export function auditFilterSql(f: AuditFilter): Prisma.Sql {
  const parts: Prisma.Sql[] = [Prisma.sql`TRUE`];
  if (f.action?.endsWith("*")) parts.push(Prisma.sql`starts_with(a.action, ${f.action.slice(0, -1)})`);
  else if (f.action) parts.push(Prisma.sql`a.action = ${f.action}`);
  if (f.actor) {
    const needle = f.actor.toLowerCase();
    const system = needle === "system" ? Prisma.sql`a."actorId" IS NULL OR` : Prisma.empty;
    parts.push(Prisma.sql`(${system} strpos(lower(coalesce(a."actorName", '')), ${needle}) > 0
      OR a."actorId" IN (SELECT u.id FROM "User" u
                         WHERE strpos(lower(u.email), ${needle}) > 0 OR strpos(lower(coalesce(u.name, '')), ${needle}) > 0))`);
  }
  if (f.tenant) parts.push(Prisma.sql`a."tenantId" = ${f.tenant}`);
  if (f.from) parts.push(Prisma.sql`a.at >= ${`${f.from}T00:00:00`}::timestamp(3)`);
  if (f.to) parts.push(Prisma.sql`a.at < (${`${f.to}T00:00:00`}::timestamp(3) + interval '1 day')`);
  if (f.q) {
    const needle = f.q.toLowerCase();
    parts.push(Prisma.sql`(strpos(lower(coalesce(a.target, '')), ${needle}) > 0 OR strpos(lower(a.action), ${needle}) > 0)`);
  }
  return Prisma.join(parts, " AND ");
}

/** Rows after (older than) or before (newer than) a page edge, by (at, id): the keyset. */
export function auditAfterSql(c: { createdAt: Date; id: string }, dir: "next" | "prev"): Prisma.Sql {
  return dir === "next"
    ? Prisma.sql`(a.at, a.id) < (${pgTimestamp(c.createdAt)}::timestamp(3), ${c.id})`
    : Prisma.sql`(a.at, a.id) > (${pgTimestamp(c.createdAt)}::timestamp(3), ${c.id})`;
}

export interface AuditRow {
  id: string;
  at: Date;
  actorId: string | null;
  actorName: string | null;
  userName: string | null;
  userEmail: string | null;
  action: string;
  target: string | null;
  tenantId: string | null;
  tenantName: string | null;
  before: unknown;
  after: unknown;
}

/**
 * A page of events: chosen on "AuditEvent" alone (an index range scan on (at desc) that stops at the
 * limit), then joined to the user and tenant by primary key.
 */
export function auditListSql(where: Prisma.Sql, order: "desc" | "asc", limit: number): Prisma.Sql {
  const dir = order === "desc" ? Prisma.sql`DESC` : Prisma.sql`ASC`;
  return Prisma.sql`
    WITH page AS MATERIALIZED (
      SELECT a.id, a.at, a."actorId", a."actorName", a.action, a.target, a."tenantId", a.before, a.after
      FROM "AuditEvent" a
      WHERE ${where}
      ORDER BY a.at ${dir}, a.id ${dir}
      LIMIT ${limit}
    )
    SELECT p.id, p.at, p."actorId", p."actorName", u.name AS "userName", u.email AS "userEmail", p.action, p.target,
           p."tenantId", t.name AS "tenantName", p.before, p.after
    FROM page p
    LEFT JOIN "User" u ON u.id = p."actorId"
    LEFT JOIN "Tenant" t ON t.id = p."tenantId"
    ORDER BY p.at ${dir}, p.id ${dir}`;
}
