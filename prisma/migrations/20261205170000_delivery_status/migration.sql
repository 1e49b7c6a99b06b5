-- Delivery status beyond 202 (lib/delivery): message trace joined to each send and recipient.
ALTER TABLE "Tenant" ADD COLUMN "messageTrace" BOOLEAN NOT NULL DEFAULT false;

ALTER TABLE "Send" ADD COLUMN "internetMessageId" TEXT,
ADD COLUMN "deliveryState" TEXT,
ADD COLUMN "deliveryCheckedAt" TIMESTAMP(3),
ADD COLUMN "traceEvidence" JSONB;

-- History's "delivered" / "failed after acceptance" filters: a keyset page per state, like the status index.
-- Partial (only traced sends), so untraced history costs nothing.
CREATE INDEX "Send_deliveryState_createdAt_id_idx" ON "Send"("deliveryState", "createdAt" DESC, "id" DESC) WHERE "deliveryState" IS NOT NULL;
-- The trace job's work list: a tenant's recent accepted or uncertain sends whose delivery is not final.
CREATE INDEX "Send_trace_todo_idx" ON "Send"("tenantId", "createdAt") WHERE "status" IN ('accepted', 'uncertain') AND "test" = false AND ("deliveryState" IS NULL OR "deliveryState" = 'pending');

CREATE TABLE "SendDelivery" (
    "id" TEXT NOT NULL,
    "sendId" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "traceId" TEXT,
    "messageId" TEXT,
    "receivedAt" TIMESTAMP(3),
    "lastCheckedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "SendDelivery_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "SendDelivery_sendId_recipient_key" ON "SendDelivery"("sendId", "recipient");
ALTER TABLE "SendDelivery" ADD CONSTRAINT "SendDelivery_sendId_fkey" FOREIGN KEY ("sendId") REFERENCES "Send"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "TraceState" (
    "tenantId" TEXT NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "used" INTEGER NOT NULL DEFAULT 0,
    "blockedUntil" TIMESTAMP(3),
    "lastRunAt" TIMESTAMP(3),
    "lastError" TEXT,
    CONSTRAINT "TraceState_pkey" PRIMARY KEY ("tenantId")
);
ALTER TABLE "TraceState" ADD CONSTRAINT "TraceState_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
