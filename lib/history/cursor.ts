import "server-only";
import { AppError } from "../errors";

/**
 * A keyset cursor: the (createdAt, id) of a page's edge row. Pages never use OFFSET, so paging stays
 * as fast on page 1,000 as on page 1 and rows with equal timestamps are neither skipped nor repeated
 * (id breaks the tie). Opaque base64url so people do not hand-edit it; damaged cursors are refused.
 */
export interface Cursor {
  createdAt: Date;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.createdAt.getTime()}|${c.id}`, "utf8").toString("base64url");
}

export function decodeCursor(value: string): Cursor {
  const text = Buffer.from(value, "base64url").toString("utf8");
  const m = /^(\d{1,15})\|([A-Za-z0-9_-]{1,64})$/.exec(text);
  if (!m) throw new AppError("BAD_CURSOR", { userMessage: "That page link is damaged. Start again from the first page.", status: 400, fields: { cursor: "That page link is damaged." } });
  return { createdAt: new Date(Number(m[1])), id: m[2]! };
}

/** `timestamp(3)` literal text for a Date, in UTC (Prisma stores DateTime as UTC without a zone). */
export function pgTimestamp(d: Date): string {
  return d.toISOString().replace("Z", "");
}
