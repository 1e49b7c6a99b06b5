-- Issue 13: the script converter's inventory, per tenant.
-- CreateTable
CREATE TABLE "MailScript" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "encoding" TEXT NOT NULL,
    "original" TEXT NOT NULL,
    "converted" TEXT,
    "modulePath" TEXT NOT NULL DEFAULT 'GraphMail',
    "callsFound" INTEGER NOT NULL DEFAULT 0,
    "convertedCount" INTEGER NOT NULL DEFAULT 0,
    "attentionCount" INTEGER NOT NULL DEFAULT 0,
    "problems" JSONB NOT NULL DEFAULT '[]',
    "uploadedById" TEXT,
    "uploadedByName" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "convertedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MailScript_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "MailScript_tenantId_createdAt_idx" ON "MailScript"("tenantId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "MailScript_tenantId_attentionCount_idx" ON "MailScript"("tenantId", "attentionCount");

-- AddForeignKey
ALTER TABLE "MailScript" ADD CONSTRAINT "MailScript_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
