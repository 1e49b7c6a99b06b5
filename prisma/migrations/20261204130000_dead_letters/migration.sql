-- Dead letters (lib/dead-letters): a failed send an admin retried (as a new send) or discarded.
ALTER TABLE "Send" ADD COLUMN "deadLetterResolution" TEXT,
ADD COLUMN "deadLetterResolvedAt" TIMESTAMP(3),
ADD COLUMN "deadLetterResolvedById" TEXT,
ADD COLUMN "retriedAsId" TEXT;

CREATE INDEX "Send_status_deadLetterResolvedAt_completedAt_idx" ON "Send"("status", "deadLetterResolvedAt", "completedAt" DESC);
