import "server-only";
import { Readable } from "node:stream";
import pg from "pg";
import { env } from "../env";
import { logError } from "../log";
import type { UploadStore } from "./store";

/**
 * Attachment bytes as rows of "UploadChunk" (uploadId, seq, data bytea), written as they arrive and read
 * back one chunk at a time, so neither direction holds more than a couple of chunks in memory whatever
 * the file's size. A chunk is 960 KiB: four make one 3.75 MiB range of a Graph upload session (a multiple
 * of 320 KiB, learn.microsoft.com/graph/outlook-large-attachments), so a range reads whole chunks; and it
 * stays far under PostgreSQL's 1 GB field limit while keeping round trips few (about 160 for 150 MB).
 * The column is stored EXTERNAL (no compression attempt: attachments are mostly compressed already).
 *
 * Its own small pool on the portal's database, with raw `pg`: bytes go as binary parameters and come back
 * in binary format, with no base64/hex detour through the ORM (https://node-postgres.com/apis/client#queryconfig).
 * Works the same on the embedded PGlite (bytea is plain PostgreSQL).
 */
export const CHUNK_BYTES = 960 * 1024;
/** Chunks a reader has asked for ahead of the one going out (memory: about this many chunks per reader). */
const READ_AHEAD = 2;

const g = globalThis as unknown as { __gmpUploadPool?: pg.Pool };

function pool(): pg.Pool {
  // 4 connections: with Prisma's 10 and the rate limiter's 3 this stays under the embedded PGlite socket's 20.
  if (!g.__gmpUploadPool) {
    g.__gmpUploadPool = new pg.Pool({ connectionString: env().DATABASE_URL, max: 4, idleTimeoutMillis: 30_000, allowExitOnIdle: true });
    // An idle connection the server closed (a restart, a failover) is dropped from the pool, not a crash.
    g.__gmpUploadPool.on("error", (err) => logError("upload store database connection", err));
  }
  return g.__gmpUploadPool;
}

/** Connections of the pool already switched to asynchronous commit (see insert). */
const asyncCommit = new WeakSet<pg.PoolClient>();

/**
 * Chunk writes commit asynchronously: one WAL flush (fsync) per upload instead of one per 960 KiB.
 * Durability is unchanged, because every caller commits the Upload row (saveUpload's uploadStored,
 * synchronously, through Prisma) after the last chunk and before anything relies on the bytes (the
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
    await client.query(`INSERT INTO "UploadChunk" ("uploadId", "seq", "data") VALUES ($1, $2, $3)`, [id, seq, data]);
    client.release();
  } catch (err) {
    // A connection that failed mid-query is not given back to the pool for reuse.
    client.release(err instanceof Error ? err : true);
    throw err;
  }
}

// The bytea arrives as hex text ("\\x…"), decoded here in one native call. pg's binary result mode would
// save the hex step but decodes every field as UTF-8 (pg-protocol: "Binary mode not supported yet").
const raw = { getTypeParser: () => (v: string) => v };

async function chunk(id: string, seq: number): Promise<Buffer | null> {
  const r = await pool().query<{ data: string }>({ text: `SELECT "data" FROM "UploadChunk" WHERE "uploadId" = $1 AND "seq" = $2`, values: [id, seq], types: raw });
  const hex = r.rows[0]?.data;
  return hex === undefined ? null : Buffer.from(hex.slice(2), "hex");
}

export function postgresStore(): UploadStore {
  return {
    async write(id, body) {
      // Incoming pieces (often 16–64 KiB) are gathered into one chunk buffer, written when full. The buffer
      // starts small and doubles up to a chunk (a 1 KB message does not take 960 KiB), then is reused for
      // every chunk: pg has copied the bytes into its own message by the time the insert resolves. A new
      // buffer per chunk would outlive many young-generation collections and pile up as old garbage
      // outside the V8 heap until a full collection — with 20 devices sending scans, tens of MB of RSS.
      let buf = Buffer.allocUnsafe(64 * 1024);
      let used = 0;
      let seq = 0;
      for await (const piece of body) {
        let off = 0;
        while (off < piece.byteLength) {
          if (used === buf.length) {
            const bigger = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, buf.length * 2));
            buf.copy(bigger, 0, 0, used);
            buf = bigger;
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
    },

    open(id, range) {
      const start = range?.start ?? 0;
      const lastSeq = range ? Math.floor(range.end / CHUNK_BYTES) : Infinity;
      let next = Math.floor(start / CHUNK_BYTES);
      let skip = start - next * CHUNK_BYTES;
      // Bytes still to give: the range's length, or (no range) until the chunks run out.
      let left = range ? range.end - start + 1 : Infinity;
      // Chunks already asked for, in order: the next ones are fetched while one goes out.
      const ahead: Promise<Buffer | null>[] = [];
      const fill = () => {
        while (ahead.length < READ_AHEAD && next <= lastSeq) {
          const p = chunk(id, next++);
          p.catch(() => undefined); // a stream destroyed early never awaits it
          ahead.push(p);
        }
      };
      return new Readable({
        highWaterMark: CHUNK_BYTES,
        read() {
          if (left <= 0) return void this.push(null);
          fill();
          const p = ahead.shift();
          if (!p) return void this.push(null);
          p.then(
            (data) => {
              if (!data) {
                if (range) this.destroy(new Error(`upload ${id}: bytes from ${range.end + 1 - left} are missing from the store`));
                else this.push(null);
                return;
              }
              const part = data.subarray(skip, skip + Math.min(data.length - skip, left));
              skip = 0;
              left -= part.length;
              this.push(part);
              if (left <= 0 || (!range && data.length < CHUNK_BYTES)) this.push(null);
            },
            (err: unknown) => this.destroy(err instanceof Error ? err : new Error(String(err))),
          );
        },
      });
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
