import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { db } from "../db";
import { env } from "../env";
import { AppError } from "../errors";
import { MAX_ATTACHMENT_BYTES, sanitizeFileName } from "../schemas/compose";
import type { ByteSource } from "../uploads/source";
import { uploadStore } from "../uploads/store";
import { formatSize, releaseUpload, reserveUpload, sweepUploadRows, uploadAttached, uploadReceived, uploadStored } from "./upload-quota";

/**
 * Attachments uploaded from the browser, the REST API or an SMTP device, kept until their send is done.
 * The request body is streamed into the upload store (lib/uploads/store.ts: PostgreSQL, so every portal
 * instance can send it — never held whole in memory), hashed on the way, and cut off at 150 MB — Graph's
 * per-attachment maximum. The description is the upload's "Upload" row. Ids are random hex and the stored
 * name is sanitised. Every upload is first admitted under the person's quotas (lib/sends/upload-quota.ts),
 * and cut off at the bytes it reserved; the bytes received so far are on the row for any instance to show.
 */
export interface UploadMeta {
  id: string;
  ownerId: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  createdAt: string;
  sendId?: string;
}

const ID = /^[a-f0-9]{32}$/;
const notFound = () => new AppError("UPLOAD_NOT_FOUND", { userMessage: "That attachment was not found; attach the file again.", status: 404 });

/** The upload's bytes, read from the store (refuses anything but an upload id). */
export function uploadSource(id: string): ByteSource {
  if (!ID.test(id)) throw notFound();
  return { open: (range) => uploadStore().open(id, range) };
}

function cleanContentType(v: string | null): string {
  const t = (v ?? "").split(";")[0]!.trim().toLowerCase();
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(t) ? t : "application/octet-stream";
}

export async function saveUpload(input: {
  ownerId: string;
  name: string;
  contentType: string | null;
  body: ReadableStream<Uint8Array> | Readable | AsyncIterable<Uint8Array> | null;
  /** The request's Content-Length, when it has one: reserved against the quota up front. */
  declaredBytes?: number | null;
  maxBytes?: number;
  /** Sees each chunk as it is stored (the relay keeps a message's header block aside with it). */
  onChunk?: (chunk: Uint8Array) => void;
}): Promise<UploadMeta> {
  if (!input.body) throw new AppError("UPLOAD_EMPTY", { userMessage: "The upload had no file in it.", status: 400 });
  const max = input.maxBytes ?? MAX_ATTACHMENT_BYTES;
  const declared = input.declaredBytes && input.declaredBytes > 0 ? input.declaredBytes : null;
  if (declared !== null && declared > max) throw tooLarge(max);
  const id = randomBytes(16).toString("hex");
  // The free-space floor is checked on the data folder: the embedded database lives there.
  const dataDir = path.resolve(env().PORTAL_DATA_DIR);
  await mkdir(dataDir, { recursive: true });
  const reserved = await reserveUpload(input.ownerId, id, declared, dataDir);
  const hash = createHash("sha256");
  let size = 0;
  let reportedAt = Date.now();
  // A Node stream is piped as it is: wrapping it in Readable.from would add a layer of promises per chunk
  // (heap garbage that grows with the bytes received, collected lazily under load).
  const source = input.body instanceof ReadableStream ? Readable.fromWeb(input.body as NodeReadableStream<Uint8Array>) : input.body instanceof Readable ? input.body : Readable.from(input.body);
  try {
    try {
      // A Transform (callbacks), not an async generator: two promises fewer per chunk. pipeline() passes a
      // failure of either side to the other; the store reads the counted stream chunk by chunk.
      const counted = new Transform({
        transform(chunk: Buffer, _enc, done) {
          size += chunk.byteLength;
          if (size > max) return done(tooLarge(max));
          if (size > reserved) {
            return done(new AppError("UPLOAD_QUOTA_BYTES", { userMessage: `This file would go over your upload quota (${formatSize(reserved)} were left). Send the message or remove attachments, then attach it again.`, status: 413 }));
          }
          hash.update(chunk);
          input.onChunk?.(chunk);
          // The bytes so far (any instance shows them) and the reservation's lease, about once a second.
          if (Date.now() - reportedAt <= 1_000) return done(null, chunk);
          reportedAt = Date.now();
          uploadReceived(id, size).then(() => done(null, chunk), done);
        },
      });
      const piped = pipeline(source, counted);
      await Promise.all([uploadStore().write(id, counted), piped]);
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError("UPLOAD_INTERRUPTED", { userMessage: "The upload was interrupted; attach the file again.", status: 400, cause: err });
    }
    if (size === 0) throw new AppError("UPLOAD_EMPTY", { userMessage: "The file is empty.", status: 400 });
    const meta: UploadMeta = { id, ownerId: input.ownerId, name: sanitizeFileName(input.name), contentType: cleanContentType(input.contentType), size, sha256: hash.digest("hex"), createdAt: new Date().toISOString() };
    await uploadStored(meta);
    // The row exists again from here on, so no sweep takes the bytes any more: check they are all there (a
    // client that stalled past its lease may have had its first bytes swept while its last ones arrived).
    if ((await uploadStore().storedBytes(id)) !== size) {
      throw new AppError("UPLOAD_INTERRUPTED", { userMessage: "The upload stalled too long and was cleared; attach the file again.", status: 400 });
    }
    return meta;
  } catch (err) {
    // Whatever failed, nothing is left half-saved and the reservation is given back.
    source.destroy();
    await removeUpload(id);
    throw err;
  }
}

const tooLarge = (max: number) =>
  new AppError("UPLOAD_TOO_LARGE", { userMessage: `The file is larger than ${Math.round(max / 1024 / 1024)} MB, Graph's limit per attachment.`, status: 413 });

/** A stored upload's description (null while it is still arriving, or gone). */
export async function readUpload(id: string): Promise<UploadMeta | null> {
  if (!ID.test(id)) throw notFound();
  const u = await db().upload.findUnique({ where: { id } });
  if (!u || !u.storedAt || u.name === null || u.sha256 === null) return null;
  return {
    id: u.id, ownerId: u.ownerId, name: u.name, contentType: u.contentType ?? "application/octet-stream", size: Number(u.bytes), sha256: u.sha256,
    createdAt: u.createdAt.toISOString(), ...(u.sendId ? { sendId: u.sendId } : {}),
  };
}

/** The caller's own upload, or a 404 (never someone else's). */
export async function ownUpload(ownerId: string, id: string): Promise<UploadMeta> {
  const meta = await readUpload(id);
  if (!meta || meta.ownerId !== ownerId) throw new AppError("UPLOAD_NOT_FOUND", { userMessage: "An attachment was not found (it may have expired); attach the file again.", status: 404, fields: { attachments: "Attach the file again" } });
  return meta;
}

/** Uploads made with an API key (POST /api/v1/uploads) belong to the key, not to a person. */
export const uploadOwnerOfKey = (apiKeyId: string): string => `apikey:${apiKeyId}`;

/** Messages an SMTP device handed to the relay (lib/smtp) belong to the device. */
export const uploadOwnerOfDevice = (deviceId: string): string => `device:${deviceId}`;

export async function markUploadUsed(id: string, sendId: string): Promise<void> {
  await uploadAttached(id, sendId);
}

/** The bytes and the row go together. */
export async function removeUpload(id: string): Promise<void> {
  if (!ID.test(id)) return;
  await uploadStore().remove(id);
  await releaseUpload(id);
}

/**
 * Uploads never attached to a send (the person closed the page) are removed after a day, and uploads whose
 * instance died mid-way once their lease lapses; then bytes left without a row. Returns how many uploads went.
 */
export async function sweepStaleUploads(maxAgeMs = 24 * 3600_000): Promise<number> {
  const n = await sweepUploadRows(maxAgeMs);
  await uploadStore().sweepOrphans();
  return n;
}
