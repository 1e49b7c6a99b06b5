import "server-only";
import { AppError } from "../errors";
import { markUploadUsed, ownUpload, removeUpload } from "../sends/upload-store";

/**
 * A bulk run's one attachment: uploaded once to the portal (POST /api/uploads), kept as one stored copy
 * that every message of the run references (Send.attachments with `shared: true`), and streamed from it
 * by the outbox for each message — inline or through an upload session, as for any send
 * (lib/outbox/deliver.ts). The upload is marked as belonging to the run (`bulk:<runId>`), so no compose
 * send can take it, the stale-upload sweep leaves it, and it no longer counts against the person's
 * upload quota. The outbox does not delete a shared file after one message (lib/outbox/finish-send.ts);
 * the run removes it once it has ended and its last message is final (lib/bulk/queue-step.ts).
 */
export interface RunAttachment {
  id: string;
  name: string;
  size: number;
  contentType: string;
  sha256: string;
  /** Set once the file was removed (the run ended). */
  removed?: boolean;
}

export const runOwnerTag = (runId: string) => `bulk:${runId}`;

/** Claims the person's upload for the run. */
export async function claimRunAttachment(ownerId: string, runId: string, uploadId: string): Promise<RunAttachment> {
  const m = await ownUpload(ownerId, uploadId);
  if (m.sendId && m.sendId !== runOwnerTag(runId)) {
    throw new AppError("VALIDATION_FAILED", { userMessage: `"${m.name}" was already sent with another message; attach it again.`, status: 422, fields: { attachment: "Attach the file again" } });
  }
  await markUploadUsed(m.id, runOwnerTag(runId));
  return { id: m.id, name: m.name, size: m.size, contentType: m.contentType, sha256: m.sha256 };
}

export function asRunAttachment(v: unknown): RunAttachment | null {
  if (!v || typeof v !== "object" || typeof (v as RunAttachment).id !== "string") return null;
  return v as RunAttachment;
}

export async function releaseRunAttachment(a: RunAttachment | null): Promise<void> {
  if (a && !a.removed) await removeUpload(a.id);
}
