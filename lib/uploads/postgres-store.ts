import "server-only";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { openPool } from "../raw-db";
import { CopyBinaryChunks, MissingChunk } from "./copy-binary";
import type { UploadStore } from "./store";

/**
 * Attachment bytes as rows of "UploadChunk" (uploadId, seq, data bytea), written as they arrive and read
 * back as a stream, so neither direction holds more than a chunk or two in memory whatever the file's size.
 * A chunk is 960 KiB: four make one 3.75 MiB range of a Graph upload session (a multiple of 320 KiB,
 * learn.microsoft.com/graph/outlook-large-attachments), so a range reads whole chunks; and it stays far
 * under PostgreSQL's 1 GB field limit while keeping round trips few (about 160 for 150 MB). The column is
 * stored EXTERNAL (no compression attempt: attachments are mostly compressed already).
 *
 * Its own small pool on the portal's database, with raw `pg`: bytes go in as binary parameters, and come
 * back through one `COPY … TO STDOUT (FORMAT binary)` per read (pg-copy-streams, parsed by copy-binary.ts).
 * A SELECT would return the bytea as hex text — twice the bytes, turned into a JS string and decoded again
 * (pg-protocol reads every field as text) — measured here at 28 MB/s on PostgreSQL 15 against 81 MB/s for
 * the COPY, and 77 against 227 MB/s on the embedded PGlite, which the same code serves.
 */
export const CHUNK_BYTES = 960 * 1024;
/** Chunks per COPY: one Graph upload range (3.75 MiB). */
const READ_WINDOW = 4;

const g = globalThis as unknown as { __gmpUploadPool?: pg.Pool };

function pool(): pg.Pool {
  // 4 connections: the embedded PGlite socket takes 32, and the portal's pools hold 23 (scripts/start/database.ts).
  g.__gmpUploadPool ??= openPool(4, "upload store database connection");
  return g.__gmpUploadPool;
}

/** Connections of the pool already switched to asynchronous commit (see insert). */
const asyncCommit = new WeakSet<pg.PoolClient>();

/** Whether the server takes `COPY … FROM STDIN` (see insert); asked once per process. */
let copyInWorks: Promise<boolean> | undefined;

/**
 * PGlite (`npm start`'s embedded database) ends the connection at a `COPY … FROM STDIN` over its socket
 * ("protocol synchronization was lost", measured with pglite-socket 0.2.17), so there chunks go in as
 * INSERTs. Asked of the server, not of the configuration: whoever serves PGlite's socket gets the same.
 */
function serverTakesCopyIn(client: pg.PoolClient): Promise<boolean> {
  copyInWorks ??= client.query<{ v: string }>("SELECT version() AS v").then(
    (r) => !/PGlite/i.test(r.rows[0]?.v ?? ""),
    () => {
      copyInWorks = undefined; // asked again next time
      return false;
    },
  );
  return copyInWorks;
}

const COPY_SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");

/**
 * One row of `COPY "UploadChunk" ("uploadId", "seq", "data") FROM STDIN (FORMAT binary)` around `data`:
 * the header (signature, flags, extension length), the tuple's field count and the first two fields, and
 * the third field's length; `data` follows as it is, then the trailer (-1).
 * https://www.postgresql.org/docs/current/sql-copy.html#SQL-COPY-BINARY-FORMAT
 */
function copyRowHead(id: string, seq: number, dataLength: number): Buffer {
  const idBytes = Buffer.from(id, "utf8");
  const head = Buffer.alloc(COPY_SIGNATURE.length + 8 + 2 + 4 + idBytes.length + 4 + 4 + 4);
  let o = COPY_SIGNATURE.copy(head, 0);
  o = head.writeInt32BE(0, o); // flags: no OIDs
  o = head.writeInt32BE(0, o); // header extension: none
  o = head.writeInt16BE(3, o); // fields in the tuple
  o = head.writeInt32BE(idBytes.length, o);
  o += idBytes.copy(head, o); // text: its UTF-8 bytes
  o = head.writeInt32BE(4, o);
  o = head.writeInt32BE(seq, o); // int4, big-endian
  head.writeInt32BE(dataLength, o); // bytea: the bytes as they are
  return head;
}
const COPY_TRAILER = Buffer.from([0xff, 0xff]);

/**
 * Stores one chunk. On PostgreSQL through a binary `COPY … FROM STDIN` (pg-copy-streams): the chunk's
 * buffer goes to the socket by reference. A parameterised INSERT would have pg-protocol serialise the
 * bytes into a new Bind message buffer of the chunk's size for every chunk (its writer grows a fresh buffer
 * per message) — about 1 GB of 1 MB buffers outside the V8 heap for the relay's 1,000-message benchmark,
 * collected late, which is what pushed its peak RSS up. The caller may reuse `data` once this resolves:
 * the server has answered the COPY, so the socket has sent every byte.
 *
 * Chunk writes commit asynchronously: one WAL flush (fsync) per upload instead of one per 960 KiB.
 * Durability is unchanged, because every caller commits the Upload row (saveUpload's uploadStored,
 * synchronously, on the raw pool) after the last chunk and before anything relies on the bytes (the
 * relay's 250, the API's answer): PostgreSQL flushes WAL in order, so that commit's flush carries every
 * chunk written before it, and a crash before it loses only an upload nobody was told was stored
 * (https://www.postgresql.org/docs/current/wal-async-commit.html).
 */
async function insert(id: string, seq: number, data: Buffer): Promise<void> {
  const client = await pool().connect();
  try {
    if (!asyncCommit.has(client)) {
      await client.query("SET synchronous_commit TO off");
      asyncCommit.add(client);
    }
    if (await serverTakesCopyIn(client)) {
      const copy = client.query(copyFrom(`COPY "UploadChunk" ("uploadId", "seq", "data") FROM STDIN (FORMAT binary)`));
      await pipeline(Readable.from([copyRowHead(id, seq, data.length), data, COPY_TRAILER], { objectMode: false }), copy);
    } else {
      await client.query(`INSERT INTO "UploadChunk" ("uploadId", "seq", "data") VALUES ($1, $2, $3)`, [id, seq, data]);
    }
    client.release();
  } catch (err) {
    // A connection that failed mid-query (or mid-COPY) is not given back to the pool for reuse.
    client.release(err instanceof Error ? err : true);
    throw err;
  }
}

/** A message's first buffer; past it a whole chunk buffer is used. */
const SMALL_BYTES = 64 * 1024;
/** Chunk buffers between uploads, at most SPARE_MAX of them (under 8 MB kept for reuse). */
const spare: Buffer[] = [];
const SPARE_MAX = 8;

function takeChunkBuffer(): Buffer {
  // allocUnsafeSlow: its own memory, not a slice of Node's shared pool (a chunk buffer lives long).
  return spare.pop() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES);
}

function giveBackChunkBuffer(b: Buffer): void {
  if (spare.length < SPARE_MAX) spare.push(b);
}

/**
 * Writes `piece` to `out`, waiting while its buffer is full; throws once `out` is gone (the reader went
 * away: the caller's COPY is then abandoned and its connection discarded, not left waiting forever).
 */
async function writeTo(out: Transform, piece: Buffer): Promise<void> {
  if (out.destroyed) throw new Error("the reader went away");
  if (out.write(piece)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      out.off("drain", done);
      out.off("close", done);
      resolve();
    };
    out.on("drain", done);
    out.on("close", done);
  });
  if (out.destroyed) throw new Error("the reader went away");
}

export function postgresStore(): UploadStore {
  return {
    async write(id, body) {
      // Incoming pieces (often 16–64 KiB) are gathered into one chunk buffer, written when full, then
      // reused for the next chunk: the server has all of its bytes by the time the insert resolves (see
      // insert). A message starts in a small buffer (a 1 KB note does not take 960 KiB); past 64 KiB it
      // moves to a whole chunk buffer taken from `spare`, given back when the upload ends. A new buffer per
      // chunk, or one grown by doubling per message, would outlive young-generation collections and pile up
      // as old garbage outside the V8 heap until a full collection — with 20 devices sending scans, tens of
      // MB of RSS.
      let buf: Buffer = Buffer.allocUnsafe(SMALL_BYTES);
      let big: Buffer | null = null;
      let used = 0;
      let seq = 0;
      let clean = false;
      try {
        for await (const piece of body) {
          let off = 0;
          while (off < piece.byteLength) {
            if (used === buf.length) {
              big = takeChunkBuffer();
              buf.copy(big, 0, 0, used);
              buf = big;
            }
            const n = Math.min(buf.length - used, piece.byteLength - off);
            buf.set(piece.subarray(off, off + n), used);
            used += n;
            off += n;
            if (used === CHUNK_BYTES) {
              await insert(id, seq++, buf);
              used = 0;
            }
          }
        }
        if (used > 0) await insert(id, seq, buf.subarray(0, used));
        clean = true;
      } finally {
        // After a failed insert the buffer may still sit in a closed socket's queue: not reused then.
        if (big && clean) giveBackChunkBuffer(big);
      }
    },

    open(id, range) {
      const start = range?.start ?? 0;
      const firstSeq = Math.floor(start / CHUNK_BYTES);
      const lastSeq = range ? Math.floor(range.end / CHUNK_BYTES) : null;
      let skip = start - firstSeq * CHUNK_BYTES;
      // Bytes still to give: the range's length, or (no range) until the chunks run out.
      let left = range ? range.end - start + 1 : Infinity;
      const missing = (at: number) => new Error(`upload ${id}: bytes from ${start + at} are missing from the store`);
      // Cuts the chunks' bytes to the range: views, no copies.
      const out = new Transform({
        readableHighWaterMark: CHUNK_BYTES,
        transform(piece: Buffer, _encoding, done) {
          let part = piece;
          if (skip > 0) {
            const n = Math.min(skip, part.length);
            skip -= n;
            part = part.subarray(n);
          }
          if (part.length > left) part = part.subarray(0, left);
          left -= part.length;
          done(null, part.length > 0 ? part : undefined);
        },
        flush(done) {
          done(range && left > 0 ? missing(range.end - start + 1 - left) : null);
        },
      });
      void (async () => {
        let passed = 0;
        // A window of chunks per COPY: PGlite answers a COPY all at once (no backpressure through its socket),
        // so a window bounds what is in flight there; on PostgreSQL it is one round trip per Graph range.
        for (let from = firstSeq; lastSeq === null || from <= lastSeq; from += READ_WINDOW) {
          const to = lastSeq === null ? from + READ_WINDOW - 1 : Math.min(lastSeq, from + READ_WINDOW - 1);
          const parser = new CopyBinaryChunks(from);
          const client = await pool().connect();
          let clean = false;
          try {
            // No bind parameters in COPY: the id is quoted by pg's escapeLiteral, the bounds are integers.
            const where = `"uploadId" = ${client.escapeLiteral(id)} AND "seq" BETWEEN ${from} AND ${to}`;
            await pipeline(client.query(copyTo(`COPY (SELECT "seq", "data" FROM "UploadChunk" WHERE ${where} ORDER BY "seq") TO STDOUT (FORMAT binary)`)), parser, async (rows: AsyncIterable<Buffer>) => {
              for await (const piece of rows) await writeTo(out, piece);
            });
            clean = true;
          } catch (err) {
            const e = err instanceof MissingChunk ? missing(passed + err.at - (start - firstSeq * CHUNK_BYTES)) : err;
            throw e instanceof Error ? e : new Error(String(e));
          } finally {
            // A COPY cut off early (the reader went away) leaves the connection mid-protocol: not reused.
            client.release(clean ? undefined : true);
          }
          passed += parser.passed;
          // The window came back with fewer rows, or its last chunk is short: the upload ends here.
          if (parser.rows < to - from + 1 || parser.lastLength < CHUNK_BYTES) break;
          if (range && left <= 0) break;
        }
        out.end();
      })().catch((err: unknown) => {
        if (!out.destroyed) out.destroy(err instanceof Error ? err : new Error(String(err)));
      });
      return out;
    },

    async storedBytes(id) {
      const r = await pool().query<{ n: string | null }>(`SELECT sum(octet_length("data")) AS n FROM "UploadChunk" WHERE "uploadId" = $1`, [id]);
      return Number(r.rows[0]?.n ?? 0);
    },

    async remove(id) {
      await pool().query(`DELETE FROM "UploadChunk" WHERE "uploadId" = $1`, [id]);
    },

    async sweepOrphans() {
      const r = await pool().query(`DELETE FROM "UploadChunk" c WHERE NOT EXISTS (SELECT 1 FROM "Upload" u WHERE u."id" = c."uploadId")`);
      return r.rowCount ?? 0;
    },
  };
}
