import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { env } from "../env";
import { AppError } from "../errors";
import { MAX_ATTACHMENT_BYTES, sanitizeFileName } from "../schemas/compose";
import { formatSize, releaseUpload, renewUpload, reserveUpload, sweepUploadRows, uploadAttached, uploadStored } from "./upload-quota";

/**
 * Attachments uploaded from the browser, kept on disk until their send is done. The request body is
 * streamed to a file (never held in memory), hashed on the way, and cut off at 150 MB — Graph's
 * per-attachment maximum. Ids are random hex, so a path can never be smuggled in through an id, and the
 * stored name is sanitised. With several portal instances PORTAL_DATA_DIR must be shared storage.
 * Every upload is first admitted under the person's quotas (lib/sends/upload-quota.ts), and cut off at
 * the bytes it reserved.
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

export function uploadsDir(): string {
  return path.resolve(env().PORTAL_DATA_DIR, "uploads");
}

export function uploadPath(id: string): string {
  if (!ID.test(id)) throw new AppError("UPLOAD_NOT_FOUND", { userMessage: "That attachment was not found; attach the file again.", status: 404 });
  return path.join(uploadsDir(), `${id}.bin`);
}

const metaPath = (id: string) => path.join(uploadsDir(), `${id}.json`);

function cleanContentType(v: string | null): string {
  const t = (v ?? "").split(";")[0]!.trim().toLowerCase();
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(t) ? t : "application/octet-stream";
}

export async function saveUpload(input: {
  ownerId: string;
  name: string;
  contentType: string | null;
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | null;
  /** The request's Content-Length, when it has one: reserved against the quota up front. */
  declaredBytes?: number | null;
  maxBytes?: number;
}): Promise<UploadMeta> {
  if (!input.body) throw new AppError("UPLOAD_EMPTY", { userMessage: "The upload had no file in it.", status: 400 });
  const max = input.maxBytes ?? MAX_ATTACHMENT_BYTES;
  const declared = input.declaredBytes && input.declaredBytes > 0 ? input.declaredBytes : null;
  if (declared !== null && declared > max) throw tooLarge(max);
  const id = randomBytes(16).toString("hex");
  await mkdir(uploadsDir(), { recursive: true });
  const reserved = await reserveUpload(input.ownerId, id, declared, uploadsDir());
  const part = path.join(uploadsDir(), `${id}.part`);
  const hash = createHash("sha256");
  let size = 0;
  let renewedAt = Date.now();
  const source = input.body instanceof ReadableStream ? Readable.fromWeb(input.body as NodeReadableStream<Uint8Array>) : Readable.from(input.body);
  try {
    try {
      await pipeline(
        source,
        async function* (chunks: AsyncIterable<Uint8Array>) {
          for await (const chunk of chunks) {
            size += chunk.byteLength;
            if (size > max) throw tooLarge(max);
            if (size > reserved) {
              throw new AppError("UPLOAD_QUOTA_BYTES", { userMessage: `This file would go over your upload quota (${formatSize(reserved)} were left). Send the message or remove attachments, then attach it again.`, status: 413 });
            }
            if (Date.now() - renewedAt > 20_000) {
              renewedAt = Date.now();
              await renewUpload(id);
            }
            hash.update(chunk);
            yield chunk;
          }
        },
        createWriteStream(part, { mode: 0o600 }),
      );
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError("UPLOAD_INTERRUPTED", { userMessage: "The upload was interrupted; attach the file again.", status: 400, cause: err });
    }
    if (size === 0) throw new AppError("UPLOAD_EMPTY", { userMessage: "The file is empty.", status: 400 });
    const meta: UploadMeta = { id, ownerId: input.ownerId, name: sanitizeFileName(input.name), contentType: cleanContentType(input.contentType), size, sha256: hash.digest("hex"), createdAt: new Date().toISOString() };
    await rename(part, path.join(uploadsDir(), `${id}.bin`));
    await writeFile(metaPath(id), JSON.stringify(meta), { mode: 0o600 });
    await uploadStored(id, input.ownerId, size);
    return meta;
  } catch (err) {
    // Whatever failed, nothing is left half-saved and the reservation is given back.
    await rm(part, { force: true });
    await removeUpload(id);
    throw err;
  }
}

const tooLarge = (max: number) =>
  new AppError("UPLOAD_TOO_LARGE", { userMessage: `The file is larger than ${Math.round(max / 1024 / 1024)} MB, Graph's limit per attachment.`, status: 413 });

export async function readUpload(id: string): Promise<UploadMeta | null> {
  uploadPath(id); // validates the id
  try {
    return JSON.parse(await readFile(metaPath(id), "utf8")) as UploadMeta;
  } catch {
    return null;
  }
}

/** The caller's own upload, or a 404 (never someone else's). */
export async function ownUpload(ownerId: string, id: string): Promise<UploadMeta> {
  const meta = await readUpload(id);
  if (!meta || meta.ownerId !== ownerId) throw new AppError("UPLOAD_NOT_FOUND", { userMessage: "An attachment was not found (it may have expired); attach the file again.", status: 404, fields: { attachments: "Attach the file again" } });
  return meta;
}

/** Uploads made with an API key (POST /api/v1/uploads) belong to the key, not to a person. */
export const uploadOwnerOfKey = (apiKeyId: string): string => `apikey:${apiKeyId}`;

export async function markUploadUsed(id: string, sendId: string): Promise<void> {
  const meta = await readUpload(id);
  if (meta) await writeFile(metaPath(id), JSON.stringify({ ...meta, sendId }), { mode: 0o600 });
  await uploadAttached(id, sendId);
}

export async function removeUpload(id: string): Promise<void> {
  if (!ID.test(id)) return;
  await rm(path.join(uploadsDir(), `${id}.bin`), { force: true });
  await rm(metaPath(id), { force: true });
  await releaseUpload(id);
}

/** Uploads never attached to a send (the person closed the page) are removed after a day. */
export async function sweepStaleUploads(maxAgeMs = 24 * 3600_000): Promise<number> {
  let n = 0;
  let names: string[];
  await sweepUploadRows(maxAgeMs);
  try {
    names = await readdir(uploadsDir());
  } catch {
    return 0;
  }
  for (const f of names) {
    const full = path.join(uploadsDir(), f);
    const age = Date.now() - (await stat(full).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
    if (age < maxAgeMs) continue;
    if (f.endsWith(".part")) {
      await rm(full, { force: true });
      n++;
    } else if (f.endsWith(".json")) {
      const meta = await readUpload(f.slice(0, -5)).catch(() => null);
      if (meta && !meta.sendId) {
        await removeUpload(meta.id);
        n++;
      }
    }
  }
  return n;
}
