import "server-only";
import { Prisma } from "@/generated/prisma/client";
import { db } from "../db";
import { recordAudit } from "../audit/record";
import { removeUpload } from "../sends/upload-store";
import { pgTimestamp } from "./cursor";

export interface PurgeResult {
  tenantId: string;
  deleted: number;
  stripped: number;
}

// Sends still in the outbox are never purged: deleting one would lose a message nobody has sent yet.
const DONE = Prisma.sql`s.status IN ('accepted', 'failed', 'uncertain')`;

/**
 * Applies every tenant's retention: deletes finished sends older than its N days (attempts go with
 * them, ON DELETE CASCADE) with the device messages kept for them (a failed or uncertain smtp send's MIME,
 * lib/outbox/finish-send.ts), and for "metadata only" tenants clears bodies and attachment contents
 * that are still stored. Batched, so a large purge never holds long locks or one huge transaction.
 */
export async function purgeSends(opts: { now?: Date; batch?: number } = {}): Promise<PurgeResult[]> {
  const now = opts.now ?? new Date();
  const batch = opts.batch ?? 5000;
  const tenants = await db().tenant.findMany({ select: { id: true, name: true, retentionDays: true, metadataOnly: true } });
  const results: PurgeResult[] = [];
  for (const t of tenants) {
    const cutoff = pgTimestamp(new Date(now.getTime() - t.retentionDays * 86_400_000));
    let deleted = 0;
    for (;;) {
      const gone = await db().$queryRaw<{ mime: string | null }[]>(Prisma.sql`
        DELETE FROM "Send" WHERE id IN (
          SELECT s.id FROM "Send" s WHERE s."tenantId" = ${t.id} AND s."createdAt" < ${cutoff}::timestamp(3) AND ${DONE} LIMIT ${batch})
        RETURNING "mimeUploadId" AS mime`);
      const n = gone.length;
      for (const g of gone) if (g.mime) await removeUpload(g.mime);
      deleted += n;
      if (n < batch) break;
    }
    let stripped = 0;
    if (t.metadataOnly) {
      for (;;) {
        const n = await db().$executeRaw(Prisma.sql`
          UPDATE "Send" u SET body = NULL,
            attachments = CASE WHEN jsonb_typeof(u.attachments) = 'array'
              THEN (SELECT coalesce(jsonb_agg(a - 'contentBytes' - 'content'), '[]'::jsonb) FROM jsonb_array_elements(u.attachments) a)
              ELSE '[]'::jsonb END
          WHERE u.id IN (
            SELECT s.id FROM "Send" s WHERE s."tenantId" = ${t.id} AND ${DONE}
              AND (s.body IS NOT NULL OR s.attachments::text LIKE '%"content%') LIMIT ${batch})`);
        stripped += n;
        if (n < batch) break;
      }
    }
    if (deleted > 0 || stripped > 0) {
      await recordAudit({ actor: null, action: "history.purged", target: t.name, tenantId: t.id, after: { deleted, stripped, retentionDays: t.retentionDays, metadataOnly: t.metadataOnly } });
    }
    results.push({ tenantId: t.id, deleted, stripped });
  }
  return results;
}
