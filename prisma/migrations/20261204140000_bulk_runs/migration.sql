-- Issue 12: bulk "welcome new users" runs. The send id of a recipient is unique and written in the
-- transaction that queues the send, so a run never queues a recipient twice.
-- CreateEnum
CREATE TYPE "BulkRunStatus" AS ENUM ('draft', 'running', 'paused', 'cancelled', 'done');

-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN "bulkDirectory" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "BulkRun" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "fromAddress" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "since" TIMESTAMP(3),
    "subject" TEXT NOT NULL DEFAULT '',
    "html" TEXT NOT NULL DEFAULT '',
    "ccAddresses" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "attachment" JSONB,
    "status" "BulkRunStatus" NOT NULL DEFAULT 'draft',
    "total" INTEGER NOT NULL DEFAULT 0,
    "stopReason" TEXT,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BulkRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BulkRecipient" (
    "id" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "address" TEXT NOT NULL,
    "fields" JSONB NOT NULL DEFAULT '{}',
    "status" TEXT NOT NULL DEFAULT 'pending',
    "sendId" TEXT,
    "error" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "queuedAt" TIMESTAMP(3),

    CONSTRAINT "BulkRecipient_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "BulkRun_status_idx" ON "BulkRun"("status");

-- CreateIndex
CREATE INDEX "BulkRun_createdById_createdAt_idx" ON "BulkRun"("createdById", "createdAt" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "BulkRecipient_sendId_key" ON "BulkRecipient"("sendId");

-- CreateIndex
CREATE INDEX "BulkRecipient_runId_status_position_idx" ON "BulkRecipient"("runId", "status", "position");

-- CreateIndex
CREATE UNIQUE INDEX "BulkRecipient_runId_address_key" ON "BulkRecipient"("runId", "address");

-- AddForeignKey
ALTER TABLE "BulkRun" ADD CONSTRAINT "BulkRun_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BulkRun" ADD CONSTRAINT "BulkRun_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BulkRecipient" ADD CONSTRAINT "BulkRecipient_runId_fkey" FOREIGN KEY ("runId") REFERENCES "BulkRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BulkRecipient" ADD CONSTRAINT "BulkRecipient_sendId_fkey" FOREIGN KEY ("sendId") REFERENCES "Send"("id") ON DELETE SET NULL ON UPDATE CASCADE;
