-- Credential lifecycle (issue 16): rotation slots next to the tenant's current credential, who sends the
-- expiry warnings, and which warnings were already mailed.
ALTER TABLE "Tenant" ADD COLUMN "credentialKeyId" TEXT;

CREATE TABLE "TenantCredential" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "slot" TEXT NOT NULL,
    "kind" "CredentialKind" NOT NULL,
    "credentialCipher" TEXT NOT NULL,
    "certificatePem" TEXT,
    "certThumbprint" TEXT,
    "keyId" TEXT,
    "expiresAt" TIMESTAMP(3),
    "verifiedAt" TIMESTAMP(3),
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "switchedAt" TIMESTAMP(3),
    CONSTRAINT "TenantCredential_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "TenantCredential_slot_check" CHECK ("slot" IN ('next', 'previous'))
);
CREATE UNIQUE INDEX "TenantCredential_tenantId_slot_key" ON "TenantCredential"("tenantId", "slot");
ALTER TABLE "TenantCredential" ADD CONSTRAINT "TenantCredential_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "CredentialAlertSetting" (
    "id" TEXT NOT NULL DEFAULT 'default',
    "tenantId" TEXT NOT NULL,
    "fromAddress" TEXT NOT NULL,
    "configuredById" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "CredentialAlertSetting_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "CredentialWarning" (
    "id" TEXT NOT NULL,
    "subjectKey" TEXT NOT NULL,
    "threshold" INTEGER NOT NULL,
    "sendId" TEXT,
    "sentAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "CredentialWarning_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "CredentialWarning_subjectKey_threshold_key" ON "CredentialWarning"("subjectKey", "threshold");
