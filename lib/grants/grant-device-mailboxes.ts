import "server-only";
import type { db } from "../db";
import { AppError } from "../errors";

type Tx = Pick<ReturnType<typeof db>, "senderMailbox" | "senderGrant">;

/**
 * Sets an SMTP device's sender mailboxes (SenderGrant rows naming the device), inside the transaction
 * that creates or edits the device: grants not in the list are removed, missing ones added. As for API
 * keys (grant-key-mailboxes.ts), every mailbox must be a listed sender mailbox of the device's own
 * tenant, so a device never reaches another tenant's mailbox. Returns the granted addresses by id (for
 * the default mailbox) and sorted (for the audit trail).
 */
export async function grantDeviceMailboxes(
  tx: Tx,
  input: { tenantId: string; deviceId: string; mailboxIds: string[]; grantedById: string },
): Promise<{ addresses: string[]; byId: Map<string, string> }> {
  const ids = [...new Set(input.mailboxIds)];
  const mailboxes = await tx.senderMailbox.findMany({ where: { id: { in: ids }, tenantId: input.tenantId }, select: { id: true, address: true } });
  if (mailboxes.length !== ids.length) {
    const message = "Choose mailboxes from the list: one of them is not a sender mailbox of this device's tenant.";
    throw new AppError("VALIDATION_FAILED", { userMessage: message, status: 422, fields: { mailboxIds: message } });
  }
  await tx.senderGrant.deleteMany({ where: { deviceId: input.deviceId, mailboxId: { notIn: ids } } });
  await tx.senderGrant.createMany({
    data: mailboxes.map((m) => ({ mailboxId: m.id, deviceId: input.deviceId, grantedById: input.grantedById })),
    skipDuplicates: true,
  });
  return { addresses: mailboxes.map((m) => m.address).sort(), byId: new Map(mailboxes.map((m) => [m.id, m.address])) };
}
