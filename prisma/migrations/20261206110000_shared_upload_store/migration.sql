-- Attachment bytes and progress in PostgreSQL, so every portal instance reaches them (issue 16).
-- The upload's description (was a JSON file next to the bytes on the receiving instance's disk).
ALTER TABLE "Upload" ADD COLUMN "name" TEXT;
ALTER TABLE "Upload" ADD COLUMN "contentType" TEXT;
ALTER TABLE "Upload" ADD COLUMN "sha256" TEXT;
ALTER TABLE "Upload" ADD COLUMN "receivedBytes" BIGINT NOT NULL DEFAULT 0;
ALTER TABLE "Upload" ADD COLUMN "storedAt" TIMESTAMP(3);

-- The bytes, in chunks of at most 960 KiB (lib/uploads/postgres-store.ts). No foreign key: an upload whose
-- lease lapsed while its client stalled may still finish (lib/sends/upload-quota.ts), and the sweep removes
-- chunks without an upload (lib/sends/upload-store.ts sweepStaleUploads).
CREATE TABLE "UploadChunk" (
    "uploadId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,
    CONSTRAINT "UploadChunk_pkey" PRIMARY KEY ("uploadId", "seq")
);
-- Already compressed or random bytes, mostly, so PostgreSQL need not try (and fail) to compress each chunk.
ALTER TABLE "UploadChunk" ALTER COLUMN "data" SET STORAGE EXTERNAL;

-- Progress of a send's Graph stage (was in the memory of the instance running it).
CREATE TABLE "SendProgress" (
    "sendId" TEXT NOT NULL,
    "phase" TEXT NOT NULL,
    "uploadedBytes" BIGINT NOT NULL,
    "totalBytes" BIGINT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "SendProgress_pkey" PRIMARY KEY ("sendId")
);
ALTER TABLE "SendProgress" ADD CONSTRAINT "SendProgress_sendId_fkey" FOREIGN KEY ("sendId") REFERENCES "Send"("id") ON DELETE CASCADE ON UPDATE CASCADE;
