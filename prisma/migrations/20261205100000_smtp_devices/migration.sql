-- SMTP devices as principals of the sender-grant model (lib/smtp, lib/devices), and sends made by them.
ALTER TYPE "SendMode" ADD VALUE 'smtp';

CREATE TABLE "Device" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "passwordHash" TEXT,
    "passwordSetAt" TIMESTAMP(3),
    "passwordExpiresAt" TIMESTAMP(3),
    "defaultFrom" TEXT,
    "fromPolicy" TEXT NOT NULL DEFAULT 'reject',
    "allowedIps" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "ipOnly" BOOLEAN NOT NULL DEFAULT false,
    "allowPlaintext" BOOLEAN NOT NULL DEFAULT false,
    "maxMessageBytes" INTEGER,
    "ratePerMinute" INTEGER NOT NULL DEFAULT 30,
    "saveToSent" BOOLEAN NOT NULL DEFAULT true,
    "lastSeenAt" TIMESTAMP(3),
    "lastSeenIp" TEXT,
    "lastTlsVersion" TEXT,
    "lastAuthMethod" TEXT,
    "messageCount" INTEGER NOT NULL DEFAULT 0,
    "refusedCount" INTEGER NOT NULL DEFAULT 0,
    "createdById" TEXT,
    "revokedAt" TIMESTAMP(3),
    "revokedById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Device_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Device_username_key" ON "Device"("username");
CREATE INDEX "Device_tenantId_createdAt_idx" ON "Device"("tenantId", "createdAt" DESC);
ALTER TABLE "Device" ADD CONSTRAINT "Device_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "SenderGrant" ADD COLUMN "deviceId" TEXT;
CREATE UNIQUE INDEX "SenderGrant_mailboxId_deviceId_key" ON "SenderGrant"("mailboxId", "deviceId");
ALTER TABLE "SenderGrant" ADD CONSTRAINT "SenderGrant_deviceId_fkey" FOREIGN KEY ("deviceId") REFERENCES "Device"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Send" ADD COLUMN "deviceId" TEXT, ADD COLUMN "mimeUploadId" TEXT;
ALTER TABLE "Send" ADD CONSTRAINT "Send_deviceId_fkey" FOREIGN KEY ("deviceId") REFERENCES "Device"("id") ON DELETE SET NULL ON UPDATE CASCADE;
