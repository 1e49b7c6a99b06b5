import "server-only";
import type { db } from "../db";
import { AppError } from "../errors";

type Tx = Pick<ReturnType<typeof db>, "senderMailbox" | "senderGrant">;

/**
 * Grants a new API key its sender mailboxes (SenderGrant rows naming the key), inside the transaction
 * that creates the key. Every mailbox must be a listed sender mailbox of the key's own tenant: a key
 * never reaches another tenant's mailbox. Returns the granted addresses for the audit trail.
 */
export async function grantKeyMailboxes(tx: Tx, input: { tenantId: string; apiKeyId: string; mailboxIds: string[]; grantedById: string }): Promise<string[]> {
  const ids = [...new Set(input.mailboxIds)];
  const mailboxes = await tx.senderMailbox.findMany({ where: { id: { in: ids }, tenantId: input.tenantId }, select: { id: true, address: true } });
  if (mailboxes.length !== ids.length) {
    const message = "Choose mailboxes from the list: one of them is not a sender mailbox of this tenant.";
    throw new AppError("VALIDATION_FAILED", { userMessage: message, status: 422, fields: { mailboxIds: message } });
  }
  await tx.senderGrant.createMany({ data: mailboxes.map((m) => ({ mailboxId: m.id, apiKeyId: input.apiKeyId, grantedById: input.grantedById })) });
  return mailboxes.map((m) => m.address).sort();
}
