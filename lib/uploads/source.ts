import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";

/** Bytes that can be read again, from the start or a range: a stored upload, or a file a try made. */
export interface ByteSource {
  /** The bytes `start`..`end` (inclusive), or all of them. */
  open(range?: { start: number; end: number }): Readable;
}

/** A local file (a device message's parts, parsed for one try into its working folder). */
export function fileSource(path: string): ByteSource {
  return { open: (range) => createReadStream(path, { ...range, highWaterMark: 256 * 1024 }) };
}

/** All of a source's bytes in memory: only for what Graph takes inline (under 4 MB as sent). */
export async function readAll(source: ByteSource): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of source.open()) parts.push(Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array));
  return Buffer.concat(parts);
}
