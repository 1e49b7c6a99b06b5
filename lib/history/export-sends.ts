import "server-only";
import { Prisma } from "@/generated/prisma/client";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import type { HistoryFilter } from "../schemas/history";
import { listSql, type SendListRow } from "./columns";
import { afterSql, filterSql } from "./where";
import { CSV_HEADER, CSV_LINE_SQL, csvLine, jsonRow } from "./csv";

const BATCH = 2000;
/**
 * CSV lines come back as one text per batch: 500 rows (about 100 KB) keep that string under V8's
 * large-object size, so it dies young like the rest of a batch instead of piling up until a full
 * collection, and the export's memory stays flat over millions of rows.
 */
const CSV_BATCH = 500;

/**
 * Every send of a filtered view as CSV text, newest first, in keyset batches: PostgreSQL formats the
 * lines (CSV_LINE_SQL); a batch is one row holding its lines and the position to go on from.
 */
export async function* csvBatches(actor: SessionUser, filter: HistoryFilter, batch = CSV_BATCH): AsyncGenerator<string> {
  const base = filterSql(actor, filter);
  let after: { createdAt: Date; id: string } | null = null;
  for (;;) {
    const where: Prisma.Sql = after ? Prisma.join([base, afterSql(after, "next")], " AND ") : base;
    const [b] = await db().$queryRaw<{ text: string | null; n: number; lastId: string | null; lastAt: Date | null }[]>(Prisma.sql`
      SELECT string_agg(${CSV_LINE_SQL}, E'\r\n' ORDER BY r."createdAt" DESC, r.id DESC) || E'\r\n' AS text, count(*)::int AS n,
             (array_agg(r.id ORDER BY r."createdAt", r.id))[1] AS "lastId", min(r."createdAt") AS "lastAt"
      FROM (${listSql(where, "desc", batch)}) r`);
    if (!b || b.n === 0 || !b.text) return;
    yield b.text;
    if (b.n < batch) return;
    after = { createdAt: b.lastAt!, id: b.lastId! };
  }
}

/**
 * Every send of a filtered view, newest first, in keyset batches: memory holds one batch at a time,
 * whatever the total (1,000,000 rows is 500 small queries, each an index range scan).
 */
export async function* sendBatches(actor: SessionUser, filter: HistoryFilter, batch = BATCH): AsyncGenerator<SendListRow[]> {
  const base = filterSql(actor, filter);
  let after: { createdAt: Date; id: string } | null = null;
  for (;;) {
    const where: Prisma.Sql = after ? Prisma.join([base, afterSql(after, "next")], " AND ") : base;
    const rows = await db().$queryRaw<SendListRow[]>(listSql(where, "desc", batch));
    if (rows.length > 0) yield rows;
    if (rows.length < batch) return;
    after = rows[rows.length - 1]!;
  }
}

/**
 * The export as a byte stream. Pull-based: the next batch is read only when the client has taken the
 * previous one, so a slow download never piles rows up in memory; a cancelled download stops the reads.
 */
export function exportStream(actor: SessionUser, filter: HistoryFilter, format: "csv" | "json"): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  const batches = format === "csv" ? csvBatches(actor, filter) : sendBatches(actor, filter);
  let started = false;
  let first = true;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true;
          controller.enqueue(enc.encode(format === "csv" ? "\uFEFF" + csvLine([...CSV_HEADER]) : "[\n"));
          return;
        }
        const { value, done } = await batches.next();
        if (done) {
          if (format === "json") controller.enqueue(enc.encode("\n]\n"));
          controller.close();
          return;
        }
        if (typeof value === "string") {
          controller.enqueue(enc.encode(value));
          return;
        }
        let text = "";
        for (const r of value) {
          text += (first ? "" : ",\n") + jsonRow(r);
          first = false;
        }
        controller.enqueue(enc.encode(text));
      },
      async cancel() {
        await batches.return(undefined);
      },
    },
    { highWaterMark: 1 },
  );
}
