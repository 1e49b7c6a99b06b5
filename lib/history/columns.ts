import "server-only";
import { Prisma } from "@/generated/prisma/client";

/**
 * The list/export columns. Rows are chosen first on "Send" alone (an index range scan that stops
 * after the page), then joined to the tenant, user and key by primary key — so a page's cost never
 * depends on how many sends exist.
 */
export interface SendListRow {
  id: string;
  createdAt: Date;
  completedAt: Date | null;
  status: string;
  mode: string;
  tenantId: string;
  tenantName: string;
  actorEmail: string | null;
  keyName: string | null;
  fromAddress: string;
  toAddresses: string[];
  ccAddresses: string[];
  bccAddresses: string[];
  recipientCount: number;
  subject: string;
  sizeBytes: number;
  attachmentCount: number;
  attemptCount: number;
  errorCode: string | null;
  /** Message trace's verdict after acceptance (lib/delivery): null, "pending", "delivered" or "failed". */
  deliveryState: string | null;
  /** A setup wizard restriction test (listed only when History's "Setup wizard tests" filter asks for them). */
  test: boolean;
}

export function listSql(where: Prisma.Sql, order: "desc" | "asc", limit: number): Prisma.Sql {
  const dir = order === "desc" ? Prisma.sql`DESC` : Prisma.sql`ASC`;
  return Prisma.sql`
    WITH page AS MATERIALIZED (
      SELECT s.id, s."createdAt", s."completedAt", s.status::text AS status, s.mode::text AS mode, s."tenantId",
             s."actorUserId", s."apiKeyId", s."fromAddress", s."toAddresses", s."ccAddresses", s."bccAddresses",
             s."recipientCount", s.subject, s."sizeBytes",
             CASE WHEN jsonb_typeof(s.attachments) = 'array' THEN jsonb_array_length(s.attachments) ELSE 0 END AS "attachmentCount",
             s."attemptCount", s."errorCode", s."deliveryState", s.test
      FROM "Send" s
      WHERE ${where}
      ORDER BY s."createdAt" ${dir}, s.id ${dir}
      LIMIT ${limit}
    )
    SELECT p.id, p."createdAt", p."completedAt", p.status, p.mode, p."tenantId", t.name AS "tenantName",
           u.email AS "actorEmail", k.name AS "keyName", p."fromAddress", p."toAddresses", p."ccAddresses", p."bccAddresses",
           p."recipientCount", p.subject, p."sizeBytes", p."attachmentCount", p."attemptCount", p."errorCode", p."deliveryState", p.test
    FROM page p
    JOIN "Tenant" t ON t.id = p."tenantId"
    LEFT JOIN "User" u ON u.id = p."actorUserId"
    LEFT JOIN "ApiKey" k ON k.id = p."apiKeyId"
    ORDER BY p."createdAt" ${dir}, p.id ${dir}`;
}
