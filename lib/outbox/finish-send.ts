import "server-only";
import { db } from "../db";
import { removeUpload } from "../sends/upload-store";
import { notifyOutbox } from "./notify";
import type { Delivery } from "./deliver";

/**
 * Writes a try's outcome on the send — only while this try still holds the claim (its lease token,
 * claim.ts); false when it does not (the lease expired and was recovered), and nothing is written. Final states
 * (accepted, failed, uncertain) remove the uploaded attachments and, for metadata-only tenants, the body.
 * A device's stored message (mode "smtp") goes once it is accepted; a failed or uncertain one is kept so
 * that it can be sent again (lib/sends/resend-device.ts) — until then, a dead letter's discard or the
 * tenant's retention (lib/history/purge-sends.ts) removes it. Metadata-only tenants keep no content.
 */
export async function finishSend(sendId: string, lease: string, d: Delivery): Promise<boolean> {
  const mine = { id: sendId, workerId: lease, status: "sending" as const };
  const release = { workerId: null, lockedUntil: null };
  if (d.kind === "retry") {
    const r = await db().send.updateMany({
      where: mine,
      data: { ...release, status: "retrying", nextAttemptAt: new Date(Date.now() + (d.afterMs ?? 2_000)), errorCode: d.code, errorMessage: d.message },
    });
    if (r.count > 0) await notifyOutbox().catch(() => undefined);
    return r.count > 0;
  }
  const s = await db().send.findUnique({ where: { id: sendId }, select: { attachments: true, mimeUploadId: true, tenant: { select: { metadataOnly: true } } } });
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
  if (n.count === 0) return false;
  // The per-app slot is free for every instance (claim.ts counts in-flight sends cluster-wide).
  await notifyOutbox().catch(() => undefined);
  // A bulk run's shared attachment stays for the run's other messages; the run removes it when it ends (lib/bulk/attachment.ts).
  for (const a of (Array.isArray(s?.attachments) ? s.attachments : []) as { id?: string; shared?: boolean }[]) if (a.id && !a.shared) await removeUpload(a.id);
  if (s?.mimeUploadId && (d.kind === "accepted" || s.tenant.metadataOnly)) await removeUpload(s.mimeUploadId);
  return true;
}
