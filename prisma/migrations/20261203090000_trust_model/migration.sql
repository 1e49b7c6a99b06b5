-- The trust model (issue 9): Microsoft identity is (tid, oid), admission per tenant, sender grants to
-- people, portal groups and API keys, invitations and access requests, test sends set apart.
-- CreateEnum
CREATE TYPE "Admission" AS ENUM ('invitation', 'approval', 'automatic');

-- DropIndex
DROP INDEX "User_email_key";

-- DropIndex
DROP INDEX "User_tenantId_entraObjectId_key";

-- AlterTable
ALTER TABLE "Send" ADD COLUMN     "test" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN     "admission" "Admission" NOT NULL DEFAULT 'approval',
ADD COLUMN     "admissionRole" "Role" NOT NULL DEFAULT 'sender';

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "entraTid" TEXT;

-- CreateTable
CREATE TABLE "SenderGrant" (
    "id" TEXT NOT NULL,
    "mailboxId" TEXT NOT NULL,
    "userId" TEXT,
    "groupId" TEXT,
    "apiKeyId" TEXT,
    "grantedById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SenderGrant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PortalGroup" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PortalGroup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PortalGroupMember" (
    "groupId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "addedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PortalGroupMember_pkey" PRIMARY KEY ("groupId","userId")
);

-- CreateTable
CREATE TABLE "Invitation" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "role" "Role" NOT NULL DEFAULT 'sender',
    "invitedById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "acceptedAt" TIMESTAMP(3),
    "userId" TEXT,
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "Invitation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccessRequest" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "entraTid" TEXT NOT NULL,
    "entraObjectId" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "requestedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastTriedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decidedAt" TIMESTAMP(3),
    "decidedById" TEXT,
    "role" "Role",
    "userId" TEXT,

    CONSTRAINT "AccessRequest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SenderGrant_userId_idx" ON "SenderGrant"("userId");

-- CreateIndex
CREATE INDEX "SenderGrant_groupId_idx" ON "SenderGrant"("groupId");

-- CreateIndex
CREATE UNIQUE INDEX "SenderGrant_mailboxId_userId_key" ON "SenderGrant"("mailboxId", "userId");

-- CreateIndex
CREATE UNIQUE INDEX "SenderGrant_mailboxId_groupId_key" ON "SenderGrant"("mailboxId", "groupId");

-- CreateIndex
CREATE UNIQUE INDEX "SenderGrant_mailboxId_apiKeyId_key" ON "SenderGrant"("mailboxId", "apiKeyId");

-- CreateIndex
CREATE UNIQUE INDEX "PortalGroup_name_key" ON "PortalGroup"("name");

-- CreateIndex
CREATE INDEX "PortalGroupMember_userId_idx" ON "PortalGroupMember"("userId");

-- CreateIndex
CREATE INDEX "Invitation_tenantId_email_idx" ON "Invitation"("tenantId", "email");

-- CreateIndex
CREATE INDEX "AccessRequest_status_requestedAt_idx" ON "AccessRequest"("status", "requestedAt");

-- CreateIndex
CREATE UNIQUE INDEX "AccessRequest_tenantId_entraTid_entraObjectId_key" ON "AccessRequest"("tenantId", "entraTid", "entraObjectId");

-- CreateIndex
CREATE INDEX "AuditEvent_action_at_idx" ON "AuditEvent"("action", "at" DESC);

-- CreateIndex
CREATE INDEX "AuditEvent_tenantId_at_idx" ON "AuditEvent"("tenantId", "at" DESC);

-- CreateIndex
CREATE INDEX "AuditEvent_actorId_at_idx" ON "AuditEvent"("actorId", "at" DESC);

-- CreateIndex
CREATE INDEX "User_email_idx" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "User_entraTid_entraObjectId_key" ON "User"("entraTid", "entraObjectId");

-- AddForeignKey
ALTER TABLE "SenderGrant" ADD CONSTRAINT "SenderGrant_mailboxId_fkey" FOREIGN KEY ("mailboxId") REFERENCES "SenderMailbox"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SenderGrant" ADD CONSTRAINT "SenderGrant_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SenderGrant" ADD CONSTRAINT "SenderGrant_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "PortalGroup"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SenderGrant" ADD CONSTRAINT "SenderGrant_apiKeyId_fkey" FOREIGN KEY ("apiKeyId") REFERENCES "ApiKey"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PortalGroupMember" ADD CONSTRAINT "PortalGroupMember_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "PortalGroup"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PortalGroupMember" ADD CONSTRAINT "PortalGroupMember_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Invitation" ADD CONSTRAINT "Invitation_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessRequest" ADD CONSTRAINT "AccessRequest_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Identity: an email address is never identity. Local (password) accounts keep unique addresses, in any
-- letter case: Microsoft accounts may share an address with anyone (they are (tid, oid)).
CREATE UNIQUE INDEX "User_local_email_key" ON "User"(lower("email")) WHERE "passwordHash" IS NOT NULL;

-- A grant names exactly one principal.
ALTER TABLE "SenderGrant" ADD CONSTRAINT "SenderGrant_one_principal"
  CHECK (num_nonnulls("userId", "groupId", "apiKeyId") = 1);

-- Upgrade: existing Microsoft users get their tid from their tenant's directory id.
UPDATE "User" u SET "entraTid" = lower(t."directoryId")
FROM "Tenant" t WHERE u."tenantId" = t.id AND u."entraObjectId" IS NOT NULL;

-- Upgrade: nothing breaks silently. Everyone who could send before keeps exactly the mailboxes they
-- could use, now as explicit grants (senders: the allowed mailboxes of their own tenant: admins: every
-- allowed mailbox). README's upgrade note says how to tighten them on the Senders page.
INSERT INTO "SenderGrant" ("id", "mailboxId", "userId", "grantedById", "createdAt")
SELECT 'upg' || md5(m.id || ':' || u.id), m.id, u.id, NULL, now()
FROM "User" u JOIN "SenderMailbox" m ON m.allowed AND (u.role = 'admin' OR (u.role = 'sender' AND m."tenantId" = u."tenantId"))
WHERE NOT u.disabled
ON CONFLICT DO NOTHING;
