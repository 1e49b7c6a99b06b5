-- The sender mailboxes message size limit (MaxSendSize in Exchange; Graph v1.0 does not expose it): 35 MB by default.
ALTER TABLE "Tenant" ADD COLUMN "maxSendSizeBytes" INTEGER NOT NULL DEFAULT 36700160;
