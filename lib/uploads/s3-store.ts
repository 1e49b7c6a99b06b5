import "server-only";
import { PassThrough, Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { db } from "../db";
import { env } from "../env";
import type { UploadStore } from "./store";

/**
 * Attachment bytes as one object per upload in S3-compatible object storage (PORTAL_UPLOAD_STORE=s3), for
 * deployments that would rather not keep large files in PostgreSQL. Every portal instance reaches the
 * bucket, so any instance can send what another received.
 *
 * Written with lib-storage's managed upload: a body smaller than one part is a single PutObject, a larger
 * one a multipart upload of 5 MiB parts (S3's minimum part size) sent one at a time, so an upload holds
 * about one part in memory whatever the file's size (https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html).
 * The object exists only once the upload completes, and S3 has stored it durably by then — what the relay's
 * 250 and the API's answer rely on. Reads are ranged GetObjects streamed through, never buffered whole.
 */
const PART_BYTES = 5 * 1024 * 1024;

const g = globalThis as unknown as { __gmpS3?: S3Client };

function client(): S3Client {
  if (!g.__gmpS3) {
    const e = env();
    g.__gmpS3 = new S3Client({
      region: e.PORTAL_S3_REGION,
      ...(e.PORTAL_S3_ENDPOINT ? { endpoint: e.PORTAL_S3_ENDPOINT } : {}),
      forcePathStyle: e.PORTAL_S3_FORCE_PATH_STYLE,
      // Checksums only where S3 requires them: since SDK 3.729 every PutObject/UploadPart carries a CRC32
      // trailer in aws-chunked encoding by default, which S3-compatible stores other than AWS (R2, older
      // MinIO and Ceph, …) refuse or store wrongly (https://github.com/aws/aws-sdk-js-v3/issues/6810).
      // The bytes' integrity is checked by the portal itself: saveUpload compares the stored size, and the
      // Upload row keeps the SHA-256 of what was received.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }
  return g.__gmpS3;
}

function bucket(): string {
  return env().PORTAL_S3_BUCKET!; // required with PORTAL_UPLOAD_STORE=s3 (lib/env.ts)
}

function key(id: string): string {
  return `${env().PORTAL_S3_PREFIX}${id}`;
}

function notFound(err: unknown): boolean {
  return err instanceof S3ServiceException && (err.name === "NotFound" || err.name === "NoSuchKey" || err.$metadata.httpStatusCode === 404);
}

/** Upload ids (of the keys under the prefix) whose "Upload" row is gone. */
async function orphaned(ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const alive = await db().upload.findMany({ where: { id: { in: ids } }, select: { id: true } });
  const keep = new Set(alive.map((u) => u.id));
  return new Set(ids.filter((id) => !keep.has(id)));
}

export function s3Store(): UploadStore {
  return {
    async write(id, body) {
      const upload = new Upload({
        client: client(),
        params: { Bucket: bucket(), Key: key(id), Body: Readable.from(body, { objectMode: false }), ContentType: "application/octet-stream" },
        partSize: PART_BYTES,
        queueSize: 1,
        // A failed multipart upload is aborted, so no unfinished parts are left to pay for. The parts of an
        // instance killed mid-upload are left to the bucket's lifecycle rule (README: AbortIncompleteMultipartUpload).
        leavePartsOnError: false,
      });
      await upload.done();
    },

    open(id, range) {
      const out = new PassThrough({ highWaterMark: 256 * 1024 });
      const want = range ? range.end - range.start + 1 : undefined;
      let got = 0;
      const counter = new Transform({
        transform(piece: Buffer, _encoding, done) {
          got += piece.length;
          done(null, piece);
        },
        // A range past the object's end comes back short: the bytes are missing, as in the PostgreSQL store.
        flush(done) {
          done(want !== undefined && got !== want ? new Error(`upload ${id}: bytes from ${range!.start + got} are missing from the store`) : null);
        },
      });
      client()
        .send(new GetObjectCommand({ Bucket: bucket(), Key: key(id), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }))
        .then((res) => pipeline(res.Body as Readable, counter, out))
        .catch((err: unknown) => {
          // 416: the range starts past the object's end.
          const beyond = err instanceof S3ServiceException && err.$metadata.httpStatusCode === 416;
          const e = notFound(err) ? new Error(`upload ${id}: its bytes are missing from the store`) : beyond ? new Error(`upload ${id}: bytes from ${range!.start} are missing from the store`) : err instanceof Error ? err : new Error(String(err));
          if (!out.destroyed) out.destroy(e);
        });
      return out;
    },

    async storedBytes(id) {
      try {
        const head = await client().send(new HeadObjectCommand({ Bucket: bucket(), Key: key(id) }));
        return head.ContentLength ?? 0;
      } catch (err) {
        if (notFound(err)) return 0;
        throw err;
      }
    },

    async remove(id) {
      // S3 answers 204 for a key that is not there: removing twice is harmless.
      await client().send(new DeleteObjectCommand({ Bucket: bucket(), Key: key(id) }));
    },

    async sweepOrphans() {
      const prefix = env().PORTAL_S3_PREFIX;
      let removed = 0;
      let token: string | undefined;
      do {
        const page = await client().send(new ListObjectsV2Command({ Bucket: bucket(), Prefix: prefix, ContinuationToken: token, MaxKeys: 1000 }));
        const ids = (page.Contents ?? []).map((o) => o.Key!.slice(prefix.length)).filter(Boolean);
        const gone = await orphaned(ids);
        if (gone.size > 0) {
          await client().send(new DeleteObjectsCommand({ Bucket: bucket(), Delete: { Objects: [...gone].map((id) => ({ Key: key(id) })), Quiet: true } }));
          removed += gone.size;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return removed;
    },
  };
}
