import "server-only";
import { Prisma } from "@/generated/prisma/client";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import type { HistoryFilter } from "../schemas/history";
import { listSql, type SendListRow } from "./columns";
import { afterSql, filterSql } from "./where";
import { CSV_HEADER, csvLine, csvRow, jsonRow } from "./csv";

const BATCH = 2000;

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
  const batches = sendBatches(actor, filter);
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
        let text = "";
        for (const r of value) {
          if (format === "csv") text += csvRow(r);
          else {
            text += (first ? "" : ",\n") + jsonRow(r);
            first = false;
          }
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
