import { randomBytes } from "node:crypto";
import { afterEach, expect, it, vi } from "vitest";

// env() validates once per module instance: each case loads a fresh one with its own settings.
const KEYS = ["PORTAL_UPLOAD_STORE", "PORTAL_S3_BUCKET", "PORTAL_S3_PREFIX", "PORTAL_S3_ENDPOINT", "PORTAL_S3_FORCE_PATH_STYLE"] as const;

async function load(settings: Partial<Record<(typeof KEYS)[number], string>>) {
  vi.resetModules();
  process.env.PORTAL_SECRET_KEY = randomBytes(32).toString("hex");
  process.env.DATABASE_URL ??= "postgresql://postgres@127.0.0.1:5432/postgres";
  for (const k of KEYS) delete process.env[k];
  Object.assign(process.env, settings);
  const { env } = await import("@/lib/env");
  return env;
}

afterEach(() => {
  for (const k of KEYS) delete process.env[k];
});

it("keeps attachment bytes in PostgreSQL unless told otherwise", async () => {
  const env = await load({});
  expect(env()).toMatchObject({ PORTAL_UPLOAD_STORE: "postgres", PORTAL_S3_PREFIX: "gmp-uploads/", PORTAL_S3_FORCE_PATH_STYLE: false });
});

it("takes an S3-compatible store with its bucket, endpoint and path style", async () => {
  const env = await load({ PORTAL_UPLOAD_STORE: "s3", PORTAL_S3_BUCKET: "mail-attachments", PORTAL_S3_ENDPOINT: "https://minio.example.com:9000", PORTAL_S3_FORCE_PATH_STYLE: "true" });
  expect(env()).toMatchObject({ PORTAL_UPLOAD_STORE: "s3", PORTAL_S3_BUCKET: "mail-attachments", PORTAL_S3_ENDPOINT: "https://minio.example.com:9000", PORTAL_S3_FORCE_PATH_STYLE: true });
});

it.each([
  [{ PORTAL_UPLOAD_STORE: "s3" }, "PORTAL_S3_BUCKET: PORTAL_S3_BUCKET is required when PORTAL_UPLOAD_STORE is s3"],
  [{ PORTAL_UPLOAD_STORE: "disk" }, "PORTAL_UPLOAD_STORE: PORTAL_UPLOAD_STORE must be postgres or s3"],
  [{ PORTAL_UPLOAD_STORE: "s3", PORTAL_S3_BUCKET: "Bad_Bucket" }, "PORTAL_S3_BUCKET: PORTAL_S3_BUCKET must be an S3 bucket name"],
  [{ PORTAL_UPLOAD_STORE: "s3", PORTAL_S3_BUCKET: "b-1", PORTAL_S3_PREFIX: "../x\r\nHost: evil" }, "PORTAL_S3_PREFIX: PORTAL_S3_PREFIX must be a key prefix"],
  [{ PORTAL_UPLOAD_STORE: "s3", PORTAL_S3_BUCKET: "b-1", PORTAL_S3_ENDPOINT: "minio:9000" }, "PORTAL_S3_ENDPOINT: PORTAL_S3_ENDPOINT must be an absolute URL"],
  [{ PORTAL_UPLOAD_STORE: "s3", PORTAL_S3_BUCKET: "b-1", PORTAL_S3_FORCE_PATH_STYLE: "yes" }, "PORTAL_S3_FORCE_PATH_STYLE: PORTAL_S3_FORCE_PATH_STYLE must be true or false"],
])("refuses %j at start-up, naming the setting", async (settings, message) => {
  const env = await load(settings);
  expect(() => env()).toThrow(message);
});
