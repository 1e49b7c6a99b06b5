import "server-only";
import { statfs } from "node:fs/promises";
import { db } from "../db";
import { rawPool, rawTransaction } from "../raw-db";
import { env } from "../env";
import { AppError } from "../errors";
import { MAX_ATTACHMENT_BYTES } from "../schemas/compose";

/**
 * Upload quotas per person, over the attachments they uploaded and have not attached to a send yet
 * (in flight or stored): a count, a total of bytes, how many may upload at once, and a floor of free disk
 * space. Each upload is a row in "Upload" from the moment it is admitted: a reservation of its declared
 * size with a lease (`inFlightUntil`) renewed while bytes arrive, then its real size once stored. The
 * row goes when the upload is removed, fails or is swept, and stops counting once attached to a send.
 * A portal instance that dies mid-upload leaves a lease that runs out: its reservation then counts no
 * more and the sweep removes it.
 *
 * Admission is one transaction holding a PostgreSQL advisory lock on the person, so two uploads racing
 * cannot both fit in the same remaining quota (https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS).
 * Hand-written because the quota is a sum over rows of varying size: a rate limiter counts requests, not
 * bytes still on disk, and cannot give them back when a file is removed.
 */
export interface UploadLimits {
  maxFiles: number;
  maxBytes: number;
  maxConcurrent: number;
  minFreeBytes: number;
}

const MB = 1024 * 1024;
/** How long an in-flight reservation holds without news from its upload; renewed as bytes arrive. */
export const UPLOAD_LEASE_MS = 2 * 60_000;

export function uploadLimits(): UploadLimits {
  const e = env();
  return { maxFiles: e.PORTAL_UPLOAD_MAX_FILES, maxBytes: e.PORTAL_UPLOAD_MAX_MB * MB, maxConcurrent: e.PORTAL_UPLOAD_MAX_CONCURRENT, minFreeBytes: e.PORTAL_UPLOAD_MIN_FREE_MB * MB };
}

export function formatSize(n: number): string {
  if (n >= 1024 * MB) return `${(n / 1024 / MB).toFixed(1)} GB`;
  if (n >= MB) return `${(n / MB).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(n / 1024))} KB`;
}

/** Free space for unprivileged writers on the filesystem holding `dir` (statfs's bavail × bsize). */
export async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

export interface QuotaUse {
  files: number;
  bytes: number;
  inFlight: number;
}

// "Upload"'s times are Prisma DateTimes: timestamp(3) without time zone, in UTC. Written and compared here
// with the database's clock, so every instance measures leases by the same one.
const NOW_UTC = `(now() AT TIME ZONE 'UTC')`;
const LEASE = `interval '${UPLOAD_LEASE_MS / 1000} seconds'`;

/** What an owner's unattached uploads use (stored, or in flight with a live lease); `owner` is its parameter. */
const usedSql = (owner: string) => `
  SELECT count(*) AS files, coalesce(sum("bytes"), 0) AS bytes, count(*) FILTER (WHERE "inFlightUntil" IS NOT NULL) AS inflight
  FROM "Upload"
  WHERE "ownerId" = ${owner} AND "sendId" IS NULL AND ("inFlightUntil" IS NULL OR "inFlightUntil" > ${NOW_UTC})`;

type UsedRow = { files: string; bytes: string; inflight: string };
const quotaUse = (r: UsedRow): QuotaUse => ({ files: Number(r.files), bytes: Number(r.bytes), inFlight: Number(r.inflight) });

/** What a person's uploads use now (for tests and display). */
export async function uploadUsage(ownerId: string): Promise<QuotaUse> {
  const r = await rawPool().query<UsedRow>(usedSql("$1"), [ownerId]);
  return quotaUse(r.rows[0]!);
}

/**
 * Admits upload `id` for `ownerId`, reserving `declaredBytes` (or, when the size is not known up front,
 * everything left of the quota up to Graph's per-attachment maximum), or throws a 4xx naming the limit
 * and the use: 429 for too many at once or too many files, 413 for bytes, 507 when the disk is nearly full.
 * Returns the bytes reserved: the upload must stop there.
 *
 * Every upload and every relayed message runs this, so it is four plain statements on the raw pool
 * (lib/raw-db.ts says why): the lock, then one statement that counts what the owner uses and inserts the
 * reservation only if it fits — after the lock, so its snapshot sees every admission before it.
 */
export async function reserveUpload(ownerId: string, id: string, declaredBytes: number | null, dir: string): Promise<number> {
  const L = uploadLimits();
  // The floor guards the disk the bytes land on; with PORTAL_UPLOAD_STORE=s3 they go to the bucket instead.
  const free = env().PORTAL_UPLOAD_STORE === "s3" ? Infinity : await freeBytes(dir);
  if (free - (declaredBytes ?? 0) < L.minFreeBytes) {
    throw new AppError("UPLOAD_DISK_FULL", {
      userMessage: `The portal's storage is nearly full (${formatSize(free)} free; uploads stop when less than ${formatSize(L.minFreeBytes)} would be left). Ask an administrator to free disk space, then attach the file again.`,
      status: 507,
    });
  }
  const { used, reserved } = await rawTransaction(async (c) => {
    // A reservation is bookkeeping nobody relies on across a crash (the upload then never finished, and the
    // sweep removes what is left): its commit need not wait for the WAL flush.
    await c.query("SET LOCAL synchronous_commit = off");
    await c.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))::text", [`upload-quota:${ownerId}`]);
    const r = await c.query<UsedRow & { reserved: string | null }>(
      `WITH used AS (${usedSql("$2")}
       ), ask AS (
         SELECT used.*, $6::bigint - used.bytes AS "left", coalesce($3::bigint, least($4::bigint, $6::bigint - used.bytes)) AS reserve FROM used
       ), ins AS (
         INSERT INTO "Upload" (id, "ownerId", bytes, "inFlightUntil")
         SELECT $1, $2, ask.reserve, ${NOW_UTC} + ${LEASE} FROM ask
         WHERE ask.inflight < $5 AND ask.files < $7 AND ask.reserve <= ask."left" AND ask."left" > 0
         RETURNING bytes
       )
       SELECT used.files, used.bytes, used.inflight, (SELECT bytes FROM ins) AS reserved FROM used`,
      [id, ownerId, declaredBytes, MAX_ATTACHMENT_BYTES, L.maxConcurrent, L.maxBytes, L.maxFiles],
    );
    const row = r.rows[0]!;
    return { used: quotaUse(row), reserved: row.reserved === null ? null : Number(row.reserved) };
  });
  if (reserved !== null) return reserved;
  // Not admitted: say which limit, in the order a person can act on them.
  if (used.inFlight >= L.maxConcurrent) {
    throw new AppError("UPLOAD_TOO_MANY_AT_ONCE", {
      userMessage: `You are already uploading ${used.inFlight} file${used.inFlight === 1 ? "" : "s"} at once, the most allowed (${L.maxConcurrent}). Wait for one to finish, then attach this file again.`,
      status: 429,
      details: { inFlight: used.inFlight, limit: L.maxConcurrent },
    });
  }
  if (used.files >= L.maxFiles) {
    throw new AppError("UPLOAD_QUOTA_FILES", {
      userMessage: `You have ${used.files} attachments uploaded and not sent yet, the most allowed (${L.maxFiles}). Send the message or remove attachments, then attach this file again.`,
      status: 429,
      details: { files: used.files, limit: L.maxFiles },
    });
  }
  throw new AppError("UPLOAD_QUOTA_BYTES", {
    userMessage: `Your attachments not sent yet use ${formatSize(used.bytes)} of your ${formatSize(L.maxBytes)} upload quota${declaredBytes ? `; this file (${formatSize(declaredBytes)}) would go over it` : ""}. Send the message or remove attachments, then attach this file again.`,
    status: 413,
    details: { usedBytes: used.bytes, limitBytes: L.maxBytes },
  });
}

/** Bytes received so far (shown by any instance); keeps the upload's reservation alive while they arrive. */
export async function uploadReceived(id: string, receivedBytes: number): Promise<void> {
  await rawPool().query(`UPDATE "Upload" SET "receivedBytes" = $2, "inFlightUntil" = ${NOW_UTC} + ${LEASE} WHERE id = $1 AND "inFlightUntil" IS NOT NULL`, [id, receivedBytes]);
}

/**
 * The upload is stored: it counts with its real size from now on, and no longer as in flight; its
 * description is kept with it. An upsert: a client that stalled past its lease may have had its
 * reservation swept meanwhile, and a stored file must count all the same (saveUpload then checks its bytes are all there).
 */
export async function uploadStored(m: { id: string; ownerId: string; size: number; name: string; contentType: string; sha256: string }): Promise<void> {
  await rawPool().query(
    `INSERT INTO "Upload" (id, "ownerId", bytes, "receivedBytes", "inFlightUntil", name, "contentType", sha256, "storedAt")
     VALUES ($1, $2, $3, $3, NULL, $4, $5, $6, ${NOW_UTC})
     ON CONFLICT (id) DO UPDATE SET bytes = EXCLUDED.bytes, "receivedBytes" = EXCLUDED."receivedBytes", "inFlightUntil" = NULL,
       name = EXCLUDED.name, "contentType" = EXCLUDED."contentType", sha256 = EXCLUDED.sha256, "storedAt" = EXCLUDED."storedAt"`,
    [m.id, m.ownerId, m.size, m.name, m.contentType, m.sha256],
  );
}

/** A failed, removed or finished upload gives its quota back. */
export async function releaseUpload(id: string): Promise<void> {
  await db().upload.deleteMany({ where: { id } });
}

/** Attached to a send: it counts against the quota no more (the send's own limits apply). */
export async function uploadAttached(id: string, sendId: string): Promise<void> {
  await db().upload.updateMany({ where: { id }, data: { sendId } });
}

/** Reservations whose instance died mid-upload, and bookkeeping of unattached uploads the sweep removed. */
export async function sweepUploadRows(maxAgeMs: number): Promise<number> {
  const now = Date.now();
  const r = await db().upload.deleteMany({
    where: { OR: [{ inFlightUntil: { lt: new Date(now) } }, { sendId: null, inFlightUntil: null, createdAt: { lt: new Date(now - maxAgeMs) } }] },
  });
  return r.count;
}
