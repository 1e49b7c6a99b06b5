import "server-only";
import { Prisma } from "@/generated/prisma/client";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { assertMayReadAudit } from "./access";

/**
 * The action names that occur in the trail, for the filter's list. A loose index scan on
 * "AuditEvent"(action, at): one index probe per distinct action, however many events there are
 * (https://wiki.postgresql.org/wiki/Loose_indexscan).
 */
export async function listAuditActions(actor: SessionUser): Promise<string[]> {
  assertMayReadAudit(actor);
  const rows = await db().$queryRaw<{ action: string }[]>(Prisma.sql`
    WITH RECURSIVE t AS (
      (SELECT action FROM "AuditEvent" ORDER BY action LIMIT 1)
      UNION ALL
      SELECT (SELECT a.action FROM "AuditEvent" a WHERE a.action > t.action ORDER BY a.action LIMIT 1)
      FROM t WHERE t.action IS NOT NULL
    )
    SELECT action FROM t WHERE action IS NOT NULL LIMIT 500`);
  return rows.map((r) => r.action);
}
