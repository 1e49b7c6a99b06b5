import "server-only";
import { db } from "../db";
import { removeUpload } from "../sends/upload-store";
import type { Delivery } from "./deliver";

/**
 * Writes a try's outcome on the send — only while this worker still holds the claim. Final states
 * (accepted, failed, uncertain) remove the uploaded files and, for metadata-only tenants, the body.
 */
export async function finishSend(sendId: string, workerId: string, d: Delivery): Promise<void> {
  const mine = { id: sendId, workerId, status: "sending" as const };
  const release = { workerId: null, lockedUntil: null };
  if (d.kind === "retry") {
    await db().send.updateMany({
      where: mine,
      data: { ...release, status: "retrying", nextAttemptAt: new Date(Date.now() + (d.afterMs ?? 2_000)), errorCode: d.code, errorMessage: d.message },
    });
    return;
  }
  const s = await db().send.findUnique({ where: { id: sendId }, select: { attachments: true, tenant: { select: { metadataOnly: true } } } });
  const data =
    d.kind === "accepted"
      ? { status: "accepted" as const, errorCode: null, errorMessage: null }
      : d.kind === "uncertain"
        ? { status: "uncertain" as const, errorCode: "UNCERTAIN", errorMessage: d.message }
        : { status: "failed" as const, errorCode: d.code, errorMessage: d.message };
  const n = await db().send.updateMany({
    where: mine,
    data: { ...release, ...data, completedAt: new Date(), nextAttemptAt: null, ...(s?.tenant.metadataOnly ? { body: null } : {}) },
  });
  if (n.count === 0) return;
  for (const a of (Array.isArray(s?.attachments) ? s.attachments : []) as { id?: string }[]) if (a.id) await removeUpload(a.id);
}
