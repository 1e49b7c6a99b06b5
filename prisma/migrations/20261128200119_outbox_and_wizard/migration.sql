-- AlterTable
ALTER TABLE "Send" ADD COLUMN     "draftId" TEXT,
ADD COLUMN     "lockedUntil" TIMESTAMP(3),
ADD COLUMN     "workerId" TEXT;

-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN     "wizardData" JSONB NOT NULL DEFAULT '{}';

-- CreateTable
CREATE TABLE "MailboxPace" (
    "tenantId" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentInWindow" INTEGER NOT NULL DEFAULT 0,
    "inFlight" INTEGER NOT NULL DEFAULT 0,
    "recipientsToday" INTEGER NOT NULL DEFAULT 0,
    "dayStart" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "nextAllowedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MailboxPace_pkey" PRIMARY KEY ("tenantId","address")
);
