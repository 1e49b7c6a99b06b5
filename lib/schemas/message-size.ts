import { z } from "zod";

/**
 * The tenant's message size limit, in MB as Exchange writes MaxSendSize (1 MB = 1,048,576 bytes). Exchange
 * Online accepts 1 to 150 MB per mailbox, 35 MB by default
 * (learn.microsoft.com/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits#message-limits).
 */
export const maxSendSizeSchema = z.object({
  tenantId: z.string().min(1, "Choose a tenant."),
  maxSendSizeMB: z.coerce
    .number({ error: "Enter a size in MB." })
    .int("Enter a whole number of MB.")
    .min(1, "Enter at least 1 MB.")
    .max(150, "Exchange Online allows at most 150 MB."),
});
