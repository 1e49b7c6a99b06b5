import { Transform, type TransformCallback } from "node:stream";

/**
 * Reads PostgreSQL's binary COPY format (https://www.postgresql.org/docs/current/sql-copy.html, "Binary
 * Format") for rows of (seq int4, data bytea) and passes on the data bytes only, as views of what arrives —
 * no copy and no text decoding. Hand-written because the format is a few lines of framing and no maintained
 * package parses it as a stream; pg-copy-streams only delivers the raw COPY bytes.
 *
 * `firstSeq`: rows must come as firstSeq, firstSeq + 1, … — a missing row fails the stream, so a gap in an
 * upload's chunks is never sent on as a shorter file.
 */
const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");

type State = "header" | "extension" | "fields" | "length" | "seq" | "data" | "done";

export class CopyBinaryChunks extends Transform {
  private state: State = "header";
  /** Bytes of a fixed-size field that arrived split across pieces. */
  private pending: Buffer = Buffer.alloc(0);
  private remaining = 0;
  private field = 0;
  private expectSeq: number;
  /** Bytes of data passed on so far (for the missing-bytes message). */
  passed = 0;
  /** Rows read so far, and the length of the last row's data. */
  rows = 0;
  lastLength = 0;

  constructor(firstSeq: number) {
    super({ readableHighWaterMark: 1024 * 1024 });
    this.expectSeq = firstSeq;
  }

  /** Takes `n` bytes for a fixed-size field, gathering across pieces; null until all have come. */
  private gather(piece: Buffer, at: number, n: number): { value: Buffer | null; used: number } {
    const want = n - this.pending.length;
    const used = Math.min(want, piece.length - at);
    const part = piece.subarray(at, at + used);
    if (this.pending.length === 0 && used === n) return { value: part, used };
    this.pending = Buffer.concat([this.pending, part]);
    if (this.pending.length < n) return { value: null, used };
    const value = this.pending;
    this.pending = Buffer.alloc(0);
    return { value, used };
  }

  override _transform(piece: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let at = 0;
    while (at < piece.length) {
      if (this.state === "data") {
        const n = Math.min(this.remaining, piece.length - at);
        this.push(piece.subarray(at, at + n));
        this.passed += n;
        at += n;
        this.remaining -= n;
        if (this.remaining === 0) this.state = "fields";
        continue;
      }
      if (this.state === "extension") {
        const n = Math.min(this.remaining, piece.length - at);
        at += n;
        this.remaining -= n;
        if (this.remaining === 0) this.state = "fields";
        continue;
      }
      if (this.state === "done") return done(new Error("binary COPY: bytes after the trailer"));
      const size = this.state === "header" ? 19 : this.state === "fields" ? 2 : 4;
      const { value, used } = this.gather(piece, at, size);
      at += used;
      if (!value) break;
      if (this.state === "header") {
        if (!value.subarray(0, 11).equals(SIGNATURE)) return done(new Error("binary COPY: not a binary COPY stream"));
        this.remaining = value.readInt32BE(15);
        this.state = this.remaining > 0 ? "extension" : "fields";
      } else if (this.state === "fields") {
        const count = value.readInt16BE(0);
        if (count === -1) {
          this.state = "done";
          continue;
        }
        if (count !== 2) return done(new Error(`binary COPY: expected 2 fields per row, got ${count}`));
        this.field = 0;
        this.state = "length";
      } else if (this.state === "length") {
        const length = value.readInt32BE(0);
        if (this.field === 0) {
          if (length !== 4) return done(new Error("binary COPY: seq is not an int4"));
          this.state = "seq";
        } else {
          this.remaining = Math.max(0, length);
          this.rows++;
          this.lastLength = this.remaining;
          this.state = this.remaining > 0 ? "data" : "fields";
        }
      } else if (this.state === "seq") {
        const seq = value.readInt32BE(0);
        if (seq !== this.expectSeq) return done(new MissingChunk(this.passed));
        this.expectSeq++;
        this.field = 1;
        this.state = "length";
      }
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    done(this.state === "done" ? null : new Error("binary COPY: the stream ended mid-row"));
  }
}

/** A row (chunk) the stream should have had next is not there: `at` data bytes were passed on before it. */
export class MissingChunk extends Error {
  constructor(readonly at: number) {
    super(`a chunk is missing after ${at} bytes`);
  }
}
