import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { expect, it } from "vitest";
import { CopyBinaryChunks, MissingChunk } from "@/lib/uploads/copy-binary";

/** PostgreSQL's binary COPY of rows (seq int4, data bytea), as the server sends it. */
function copyBinary(rows: [number, Buffer | null][], extension = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(19);
  Buffer.from("PGCOPY\n\xff\r\n\0", "latin1").copy(head);
  head.writeInt32BE(0, 11);
  head.writeInt32BE(extension.length, 15);
  const parts: Buffer[] = [head, extension];
  for (const [seq, data] of rows) {
    const r = Buffer.alloc(2 + 4 + 4 + 4);
    r.writeInt16BE(2, 0);
    r.writeInt32BE(4, 2);
    r.writeInt32BE(seq, 6);
    r.writeInt32BE(data ? data.length : -1, 10);
    parts.push(r, data ?? Buffer.alloc(0));
  }
  parts.push(Buffer.from([0xff, 0xff]));
  return Buffer.concat(parts);
}

/** Cuts `b` at random points (seeded), down to single bytes, as TCP may. */
function pieces(b: Buffer, seed: number): Buffer[] {
  let x = seed;
  const next = () => ((x = (x * 1103515245 + 12345) % 2 ** 31), x);
  const out: Buffer[] = [];
  for (let at = 0; at < b.length; ) {
    const n = 1 + (next() % (next() % 3 === 0 ? 7 : 70_000));
    out.push(b.subarray(at, at + n));
    at += n;
  }
  return out;
}

async function run(input: Buffer[], firstSeq: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of Readable.from(input).pipe(new CopyBinaryChunks(firstSeq))) parts.push(p as Buffer);
  return Buffer.concat(parts);
}

it("passes on the data of every row in order, whatever the pieces the stream arrives in", async () => {
  const rows: [number, Buffer][] = [3, 4, 5, 6].map((seq) => [seq, randomBytes(seq === 6 ? 1234 : 96 * 1024)]);
  const whole = copyBinary(rows, Buffer.from("ext!"));
  const want = Buffer.concat(rows.map((r) => r[1]));
  for (let seed = 1; seed <= 40; seed++) expect((await run(pieces(whole, seed), 3)).equals(want)).toBe(true);
  // Byte by byte.
  expect((await run([...whole].map((b) => Buffer.from([b])), 3)).equals(want)).toBe(true);
});

it("fails on a missing row instead of passing on a shorter file, saying how many bytes came first", async () => {
  const a = randomBytes(100);
  const err = await run([copyBinary([[0, a], [2, randomBytes(10)]])], 0).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(MissingChunk);
  expect((err as MissingChunk).at).toBe(100);
  await expect(run([copyBinary([[1, a]])], 0)).rejects.toBeInstanceOf(MissingChunk);
});

it("refuses what is not a complete binary COPY of (seq, data)", async () => {
  await expect(run([Buffer.from("seq,data\n1,abcdefghijklmnopqrstuvwxyz\n")], 0)).rejects.toThrow(/not a binary COPY/);
  const whole = copyBinary([[0, randomBytes(50)]]);
  await expect(run([whole.subarray(0, whole.length - 10)], 0)).rejects.toThrow(/ended mid-row/);
  await expect(run([Buffer.concat([whole, Buffer.from([1])])], 0)).rejects.toThrow(/after the trailer/);
  // No rows at all (an upload with no bytes stored) is an empty stream.
  expect((await run([copyBinary([])], 0)).length).toBe(0);
});
