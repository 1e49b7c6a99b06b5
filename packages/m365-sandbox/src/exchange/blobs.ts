/**
 * Attachment bytes live on disk, content-addressed by SHA-256 under <dataDir>/mail/blobs, so a
 * 150 MB attachment delivered to ten mailboxes is stored once and never held in memory whole.
 * Upload sessions write to <dataDir>/mail/uploads/<token> and are moved into the blob store at the end.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

export const blobDir = (dataDir: string) => path.join(dataDir, "mail", "blobs");
export const uploadDir = (dataDir: string) => path.join(dataDir, "mail", "uploads");
export const blobPath = (dataDir: string, sha256: string) => path.join(blobDir(dataDir), sha256.replace(/[^0-9a-f]/g, ""));

export function putBlob(dataDir: string, bytes: Buffer): { sha256: string; size: number } {
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  mkdirSync(blobDir(dataDir), { recursive: true });
  const file = blobPath(dataDir, sha256);
  if (!existsSync(file)) writeFileSync(file, bytes);
  return { sha256, size: bytes.length };
}

/** Moves a finished upload into the blob store (or drops it when the same bytes are already there). */
export function adoptBlob(dataDir: string, tmpFile: string, sha256: string): void {
  mkdirSync(blobDir(dataDir), { recursive: true });
  const file = blobPath(dataDir, sha256);
  if (existsSync(file)) rmSync(tmpFile, { force: true });
  else renameSync(tmpFile, file);
}

export function hasBlob(dataDir: string, sha256: string): boolean {
  return existsSync(blobPath(dataDir, sha256));
}

export function blobSize(dataDir: string, sha256: string): number {
  return statSync(blobPath(dataDir, sha256)).size;
}

/** Whole content as base64; only for small attachments (≤ INLINE_COPY_LIMIT). */
export function readBlobBase64(dataDir: string, sha256: string): string {
  return readFileSync(blobPath(dataDir, sha256)).toString("base64");
}

export function clearBlobs(dataDir: string): void {
  rmSync(blobDir(dataDir), { recursive: true, force: true });
}
