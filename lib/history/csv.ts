import "server-only";
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
