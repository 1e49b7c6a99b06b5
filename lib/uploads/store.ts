import "server-only";
import type { Readable } from "node:stream";
import { env } from "../env";
import { postgresStore } from "./postgres-store";
import { s3Store } from "./s3-store";

/**
 * Where attachment bytes live: uploads from Compose and `POST /api/uploads`, the REST API's uploads and
 * inline `contentBytes`, and the MIME messages SMTP devices hand to the relay. Every portal instance must
 * reach them (the instance that claims a send is rarely the one that received its files), so the store is
 * PostgreSQL itself (postgres-store.ts): one database to back up, nothing else to share. The description
 * of an upload (owner, name, type, size, hash, its send) is its "Upload" row (lib/sends/upload-store.ts);
 * a store keeps bytes only. With PORTAL_UPLOAD_STORE=s3 the bytes go to S3-compatible object storage instead
 * (s3-store.ts); the rows stay in PostgreSQL either way.
 */
export interface UploadStore {
  /** Stores upload `id`'s bytes in order (its "Upload" row exists); resolves once all of them are durable. */
  write(id: string, body: AsyncIterable<Uint8Array>): Promise<void>;
  /** Streams the bytes `start`..`end` (inclusive), or all of them; errors when some are missing. */
  open(id: string, range?: { start: number; end: number }): Readable;
  /** How many bytes of upload `id` are stored (0 when none). */
  storedBytes(id: string): Promise<number>;
  /** Removes the bytes (idempotent). */
  remove(id: string): Promise<void>;
  /** Removes bytes whose "Upload" row is gone (an instance that died mid-upload); returns how many pieces went. */
  sweepOrphans(): Promise<number>;
}

export function uploadStore(): UploadStore {
  return env().PORTAL_UPLOAD_STORE === "s3" ? s3Store() : postgresStore();
}
