/**
 * The PostgreSQL upload store (lib/uploads/postgres-store.ts), through its own interface: bytes written in
 * uneven pieces come back identical, whole and in any range, while several uploads are written at once
 * through its small pool. On PostgreSQL the chunks go in by binary `COPY … FROM STDIN` from one reused
 * buffer (a wrong row framing, or a buffer reused before the server had it, shows as wrong bytes here);
 * on `npm start`'s embedded PGlite, which refuses that COPY, by INSERT.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { startEmbeddedDb, type EmbeddedDb } from "../../scripts/start/database";
import { migrate } from "../../scripts/start/migrate";
import { createTestDatabase } from "../support/db";
import type * as StoreModule from "@/lib/uploads/postgres-store";

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

/** The store as a fresh portal process on `url` sees it (its pool and settings are per process). */
async function storeOn(url: string) {
  const g = globalThis as unknown as { __gmpUploadPool?: { end(): Promise<void> } };
  await g.__gmpUploadPool?.end();
  delete g.__gmpUploadPool;
  vi.resetModules();
  process.env.DATABASE_URL = url;
  process.env.PORTAL_SECRET_KEY ??= randomBytes(32).toString("hex");
  const mod: typeof StoreModule = await import("@/lib/uploads/postgres-store");
  cleanups.push(async () => (globalThis as unknown as { __gmpUploadPool?: { end(): Promise<void> } }).__gmpUploadPool?.end());
  return { store: mod.postgresStore(), CHUNK: mod.CHUNK_BYTES };
}

/** `bytes` as an async stream of uneven pieces (1 byte to 200 KB), as a socket or a request body hands them. */
async function* pieces(bytes: Buffer): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; ) {
    const n = Math.min(bytes.length - at, 1 + Math.floor(Math.random() * 200_000));
    // A fresh copy each time, so the store cannot rely on the caller keeping its pieces.
    yield new Uint8Array(bytes.subarray(at, at + n));
    at += n;
  }
}

async function readAll(s: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of s) parts.push(p as Buffer);
  return Buffer.concat(parts);
}

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

function behavesAsAStore(where: string, url: () => Promise<string>) {
  describe(`the upload store on ${where}`, () => {
    it("gives back every byte, whole and in ranges across chunk boundaries, with six uploads written at once", async () => {
      const { store, CHUNK } = await storeOn(await url());
      // Sizes around the chunk boundary and a few chunks, six at once through a pool of four connections.
      const files = [1_000, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 12_345, 4 * CHUNK].map((n, i) => ({ id: `up-${where}-${i}`, bytes: randomBytes(n) }));
      await Promise.all(files.map((f) => store.write(f.id, pieces(f.bytes))));
      for (const f of files) {
        expect(await store.storedBytes(f.id)).toBe(f.bytes.length);
        expect(sha(await readAll(store.open(f.id)))).toBe(sha(f.bytes));
      }
      const big = files[4]!;
      const ranges = [
        [0, 0],
        [CHUNK - 1, CHUNK],
        [CHUNK - 10, 3 * CHUNK + 5],
        [2 * CHUNK, big.bytes.length - 1],
        [big.bytes.length - 1, big.bytes.length - 1],
        ...Array.from({ length: 10 }, () => {
          const a = Math.floor(Math.random() * big.bytes.length);
          return [a, a + Math.floor(Math.random() * (big.bytes.length - a))];
        }),
      ] as [number, number][];
      for (const [start, end] of ranges) {
        expect(sha(await readAll(store.open(big.id, { start, end }))), `${start}-${end}`).toBe(sha(big.bytes.subarray(start, end + 1)));
      }
      await store.remove(big.id);
      expect(await store.storedBytes(big.id)).toBe(0);
      await expect(readAll(store.open(big.id, { start: 0, end: 9 }))).rejects.toThrow(/bytes from 0 are missing/);
    }, 120_000);
  });
}

behavesAsAStore("PostgreSQL", async () => {
  const db = await createTestDatabase();
  cleanups.push(db.drop);
  return db.url;
});

let embedded: EmbeddedDb | undefined;
behavesAsAStore("the embedded PGlite", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "gmp-pglite-store-"));
  embedded = await startEmbeddedDb(dir, { port: 0 });
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  cleanups.push(async () => embedded?.stop());
  await migrate({ ...process.env, DATABASE_URL: embedded.url });
  return embedded.url;
});
