-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('admin', 'sender', 'auditor');

-- CreateEnum
CREATE TYPE "Cloud" AS ENUM ('global', 'usgov', 'usgovdod', 'china', 'sandbox');

-- CreateEnum
CREATE TYPE "CredentialKind" AS ENUM ('none', 'secret', 'certificate');

-- CreateEnum
CREATE TYPE "SendMode" AS ENUM ('app', 'delegated', 'api', 'bulk');

-- CreateEnum
CREATE TYPE "SendStatus" AS ENUM ('queued', 'sending', 'retrying', 'accepted', 'failed', 'uncertain');

-- CreateTable
CREATE TABLE "Tenant" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "directoryId" TEXT NOT NULL,
    "cloud" "Cloud" NOT NULL DEFAULT 'global',
    "loginUrl" TEXT,
    "graphUrl" TEXT,
    "clientId" TEXT,
    "useApplication" BOOLEAN NOT NULL DEFAULT true,
    "useDelegated" BOOLEAN NOT NULL DEFAULT false,
    "largeAttachments" BOOLEAN NOT NULL DEFAULT false,
    "credentialKind" "CredentialKind" NOT NULL DEFAULT 'none',
    "credentialCipher" TEXT,
    "certificatePem" TEXT,
    "certThumbprint" TEXT,
    "credentialExpires" TIMESTAMP(3),
    "consentState" TEXT NOT NULL DEFAULT 'pending',
    "consentAt" TIMESTAMP(3),
    "lastVerifiedAt" TIMESTAMP(3),
    "wizardStep" TEXT NOT NULL DEFAULT 'tenant',
    "source" TEXT NOT NULL DEFAULT 'wizard',
    "retentionDays" INTEGER NOT NULL DEFAULT 90,
    "metadataOnly" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Tenant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SenderMailbox" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "displayName" TEXT,
    "kind" TEXT NOT NULL DEFAULT 'user',
    "allowed" BOOLEAN NOT NULL DEFAULT true,
    "policyStatus" TEXT NOT NULL DEFAULT 'unknown',
    "lastCheckedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SenderMailbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "role" "Role" NOT NULL DEFAULT 'sender',
    "passwordHash" TEXT,
    "tenantId" TEXT,
    "entraObjectId" TEXT,
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "lastSignInAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Account" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "providerAccountId" TEXT NOT NULL,
    "refreshTokenCipher" TEXT,
    "scope" TEXT,
    "expiresAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SetupCode" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "codeHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "usedAt" TIMESTAMP(3),

    CONSTRAINT "SetupCode_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Send" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "mode" "SendMode" NOT NULL,
    "status" "SendStatus" NOT NULL DEFAULT 'queued',
    "actorUserId" TEXT,
    "apiKeyId" TEXT,
    "fromAddress" TEXT NOT NULL,
    "toAddresses" TEXT[],
    "ccAddresses" TEXT[],
    "bccAddresses" TEXT[],
    "recipientCount" INTEGER NOT NULL,
    "subject" TEXT NOT NULL,
    "bodyType" TEXT NOT NULL DEFAULT 'html',
    "body" TEXT,
    "sizeBytes" INTEGER NOT NULL DEFAULT 0,
    "attachments" JSONB NOT NULL DEFAULT '[]',
    "headers" JSONB NOT NULL DEFAULT '[]',
    "importance" TEXT NOT NULL DEFAULT 'normal',
    "saveToSent" BOOLEAN NOT NULL DEFAULT true,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "attemptCount" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "Send_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SendAttempt" (
    "id" TEXT NOT NULL,
    "sendId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "durationMs" INTEGER,
    "httpStatus" INTEGER,
    "graphCode" TEXT,
    "message" TEXT,
    "requestId" TEXT,
    "clientRequestId" TEXT,
    "retryAfterMs" INTEGER,
    "outcome" TEXT NOT NULL,

    CONSTRAINT "SendAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "displayPrefix" TEXT NOT NULL,
    "allowedSenders" TEXT[],
    "ratePerMinute" INTEGER NOT NULL DEFAULT 30,
    "createdById" TEXT,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorId" TEXT,
    "actorName" TEXT,
    "action" TEXT NOT NULL,
    "target" TEXT,
    "tenantId" TEXT,
    "before" JSONB,
    "after" JSONB,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Tenant_cloud_directoryId_key" ON "Tenant"("cloud", "directoryId");

-- CreateIndex
CREATE UNIQUE INDEX "SenderMailbox_tenantId_address_key" ON "SenderMailbox"("tenantId", "address");

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "User_tenantId_entraObjectId_key" ON "User"("tenantId", "entraObjectId");

-- CreateIndex
CREATE UNIQUE INDEX "Account_provider_providerAccountId_key" ON "Account"("provider", "providerAccountId");

-- CreateIndex
CREATE INDEX "Send_tenantId_createdAt_id_idx" ON "Send"("tenantId", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Send_status_nextAttemptAt_idx" ON "Send"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "Send_fromAddress_createdAt_idx" ON "Send"("fromAddress", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "SendAttempt_sendId_number_idx" ON "SendAttempt"("sendId", "number");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_hash_key" ON "ApiKey"("hash");

-- CreateIndex
CREATE INDEX "AuditEvent_at_idx" ON "AuditEvent"("at" DESC);

-- AddForeignKey
ALTER TABLE "SenderMailbox" ADD CONSTRAINT "SenderMailbox_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "User" ADD CONSTRAINT "User_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Account" ADD CONSTRAINT "Account_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Send" ADD CONSTRAINT "Send_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Send" ADD CONSTRAINT "Send_actorUserId_fkey" FOREIGN KEY ("actorUserId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Send" ADD CONSTRAINT "Send_apiKeyId_fkey" FOREIGN KEY ("apiKeyId") REFERENCES "ApiKey"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SendAttempt" ADD CONSTRAINT "SendAttempt_sendId_fkey" FOREIGN KEY ("sendId") REFERENCES "Send"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

