/**
 * Issue 10: uploads stop when PORTAL_DATA_DIR's filesystem would keep less free space than the floor.
 * The floor is configured just above the space actually free (statfs), so every upload must be refused
 * with 507, before any byte is written and without a reservation left behind.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm, statfs } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase } from "../support/db";

let dropDb: () => Promise<void>;
let dataDir: string;

beforeAll(async () => {
  const created = await createTestDatabase();
  dropDb = created.drop;
  process.env.DATABASE_URL = created.url;
  process.env.PORTAL_SECRET_KEY = randomBytes(32).toString("hex");
  dataDir = await mkdtemp(path.join(os.tmpdir(), "gmp-upfloor-"));
  process.env.PORTAL_DATA_DIR = dataDir;
  const s = await statfs(dataDir);
  process.env.PORTAL_UPLOAD_MIN_FREE_MB = String(Math.ceil((s.bavail * s.bsize) / 1024 / 1024) + 64);
});

afterAll(async () => {
  const { db } = await import("@/lib/db");
  await db().$disconnect();
  await dropDb();
  await rm(dataDir, { recursive: true, force: true });
});

it("refuses an upload with 507 naming the free space and the floor; nothing is written or reserved", async () => {
  const { saveUpload } = await import("@/lib/sends/upload-store");
  const { uploadUsage } = await import("@/lib/sends/upload-quota");
  let pulled = false;
  const body = (async function* () {
    pulled = true;
    yield new Uint8Array(10);
  })();
  await expect(saveUpload({ ownerId: "u1", name: "a.txt", contentType: "text/plain", declaredBytes: 10, body })).rejects.toMatchObject({
    status: 507,
    code: "UPLOAD_DISK_FULL",
    userMessage: expect.stringMatching(/^The portal's storage is nearly full \([\d.]+ [KMG]B free; uploads stop when less than [\d.]+ [KMG]B would be left\)\. Ask an administrator/),
  });
  expect(pulled).toBe(false);
  // Nothing written: no chunk in the store (the bytes are rows, lib/uploads) and no file in the data folder.
  const { db } = await import("@/lib/db");
  expect(await db().uploadChunk.count()).toBe(0);
  expect(await readdir(dataDir)).not.toContain("uploads");
  expect(await uploadUsage("u1")).toEqual({ files: 0, bytes: 0, inFlight: 0 });
});
