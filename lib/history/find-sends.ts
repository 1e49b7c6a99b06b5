import "server-only";
import { Prisma } from "@/generated/prisma/client";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import type { KeyViewer } from "../sends/visibility";
import type { HistoryFilter } from "../schemas/history";
import { listSql, type SendListRow } from "./columns";
import { decodeCursor, encodeCursor } from "./cursor";
import { afterSql, filterSql } from "./where";

export interface SendPage {
  rows: SendListRow[];
  /** Cursor of the next (older) page, when there is one. */
  next: string | null;
  /** Cursor of the previous (newer) page, when there is one. */
  prev: string | null;
}

/**
 * One page of the caller's send history, newest first, by keyset on (createdAt, id). `dir: "prev"`
 * walks towards newer sends from the cursor (ascending, then reversed) so "Previous" is as cheap as
 * "Next".
 */
export async function findSends(
  actor: SessionUser | KeyViewer,
  filter: HistoryFilter,
  page: { cursor?: string; dir?: "next" | "prev"; limit?: number } = {},
): Promise<SendPage> {
  const limit = Math.min(Math.max(page.limit ?? 50, 1), 200);
  const dir = page.dir ?? "next";
  const cursor = page.cursor ? decodeCursor(page.cursor) : null;
  const conditions = [filterSql(actor, filter)];
  if (cursor) conditions.push(afterSql(cursor, dir));
  const where = Prisma.join(conditions, " AND ");
  const backwards = cursor !== null && dir === "prev";
  const fetched = await db().$queryRaw<SendListRow[]>(listSql(where, backwards ? "asc" : "desc", limit + 1));
  const more = fetched.length > limit;
  const rows = more ? fetched.slice(0, limit) : fetched;
  if (backwards) rows.reverse();
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (!first || !last) return { rows, next: null, prev: null }; // the UI always offers "Newest"
  return {
    rows,
    next: backwards || more ? encodeCursor(last) : null,
    prev: backwards ? (more ? encodeCursor(first) : null) : cursor ? encodeCursor(first) : null,
  };
}
