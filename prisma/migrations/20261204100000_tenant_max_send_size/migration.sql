-- The sender mailboxes message size limit (MaxSendSize in Exchange, which Graph v1.0 does not expose), 35 MB by default.
ALTER TABLE "Tenant" ADD COLUMN "maxSendSizeBytes" INTEGER NOT NULL DEFAULT 36700160;
