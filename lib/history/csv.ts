import "server-only";
import { Prisma } from "@/generated/prisma/client";
import type { SendListRow } from "./columns";

/**
 * CSV per RFC 4180, safe to open in Excel: a text cell starting with = + - @ (or a tab / carriage
 * return, which some spreadsheets strip first) is prefixed with ' so it is never run as a formula
 * (OWASP "CSV injection"). Cells with a comma, quote or line break are quoted, quotes doubled.
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return String(value);
  let v = value;
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export const CSV_HEADER = [
  "id", "created_at", "completed_at", "status", "mode", "tenant", "actor", "api_key", "from", "to", "cc", "bcc",
  "recipient_count", "subject", "size_bytes", "attachments", "attempts", "error_code",
] as const;

export function csvLine(cells: (string | number | null | undefined)[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

/**
 * One row as a CSV line. The export itself has PostgreSQL write its lines (CSV_LINE_SQL below); this is the
 * definition those lines are proved byte-identical to (tests/integration/history.test.ts).
 */
export function csvRow(r: SendListRow): string {
  return csvLine([
    r.id, r.createdAt.toISOString(), r.completedAt?.toISOString() ?? null, r.status, r.mode, r.tenantName, r.actorEmail,
    r.keyName, r.fromAddress, r.toAddresses.join("; "), r.ccAddresses.join("; "), r.bccAddresses.join("; "),
    r.recipientCount, r.subject, r.sizeBytes, Number(r.attachmentCount), r.attemptCount, r.errorCode,
  ]);
}

export function jsonRow(r: SendListRow): string {
  return JSON.stringify({
    id: r.id, createdAt: r.createdAt.toISOString(), completedAt: r.completedAt?.toISOString() ?? null, status: r.status, mode: r.mode,
    tenant: r.tenantName, actor: r.actorEmail, apiKey: r.keyName, from: r.fromAddress, to: r.toAddresses, cc: r.ccAddresses,
    bcc: r.bccAddresses, recipientCount: r.recipientCount, subject: r.subject, sizeBytes: r.sizeBytes,
    attachments: Number(r.attachmentCount), attempts: r.attemptCount, errorCode: r.errorCode,
  });
}

/**
 * csvCell in SQL, for the export (export-sends.ts): a text cell guarded and quoted exactly as csvCell does,
 * so PostgreSQL hands back finished lines and the portal builds no row objects for millions of rows.
 * `expr` is trusted SQL (a column of the export's own query), never input.
 */
function sqlTextCell(expr: string): string {
  const guarded = `(CASE WHEN ${expr} ~ '^[-=+@\\t\\r]' THEN '''' || ${expr} ELSE ${expr} END)`;
  return `(CASE WHEN ${expr} IS NULL THEN '' WHEN ${guarded} ~ '[",\\r\\n]' THEN '"' || replace(${guarded}, '"', '""') || '"' ELSE ${guarded} END)`;
}

const iso = (col: string) => `coalesce(to_char(${col}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), '')`;

/**
 * One export line per row `r` of listSql, the same bytes csvRow makes (a test compares them): ISO
 * timestamps in UTC (the columns are UTC timestamp(3)), address lists joined with "; ", numbers bare.
 */
export const CSV_LINE_SQL = Prisma.raw(
  [
    sqlTextCell("r.id"),
    iso('r."createdAt"'),
    iso('r."completedAt"'),
    sqlTextCell("r.status"),
    sqlTextCell("r.mode"),
    sqlTextCell('r."tenantName"'),
    sqlTextCell('r."actorEmail"'),
    sqlTextCell('r."keyName"'),
    sqlTextCell('r."fromAddress"'),
    sqlTextCell(`array_to_string(r."toAddresses", '; ')`),
    sqlTextCell(`array_to_string(r."ccAddresses", '; ')`),
    sqlTextCell(`array_to_string(r."bccAddresses", '; ')`),
    `r."recipientCount"::text`,
    sqlTextCell("r.subject"),
    `r."sizeBytes"::text`,
    `r."attachmentCount"::text`,
    `r."attemptCount"::text`,
    sqlTextCell('r."errorCode"'),
  ].join(" || ',' || "),
);
