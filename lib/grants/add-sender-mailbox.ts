import "server-only";
import { z } from "zod";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { AppError, forbidden, notFound } from "../errors";
import { parseInput } from "../validate";
import { recordAudit } from "../audit/record";

/**
 * A sender mailbox address: one line (a line break could smuggle a header or a script line), no markup,
 * a plain address, stored in lower case (Exchange compares SMTP addresses case-insensitively).
 */
export const mailboxAddressSchema = z
  .string({ error: "Enter the mailbox address" })
  .refine((v) => !/[\u0000-\u001f\u007f\u0085\u2028\u2029]/.test(v), "The mailbox address must be one line, without control characters")
  .transform((v) => v.trim())
  .pipe(
    z
      .string()
      .min(1, "Enter the mailbox address")
      .max(254, "The mailbox address is too long (254 characters at most)")
      .pipe(z.email("Enter a mailbox address such as hr-welcome@contoso.com"))
      .transform((v) => v.toLowerCase()),
  );

export const addSenderMailboxSchema = z.object({
  tenantId: z.string().min(1).max(64),
  address: mailboxAddressSchema,
});

export async function addSenderMailbox(actor: SessionUser, raw: { tenantId: string; address: string }): Promise<{ id: string; address: string }> {
  if (actor.role !== "admin") throw forbidden("manage sender mailboxes");
  const { tenantId, address } = parseInput(addSenderMailboxSchema, raw, { fallback: "address", summary: "first" });
  const tenant = await db().tenant.findUnique({ where: { id: tenantId }, select: { id: true, name: true } });
  if (!tenant) throw notFound("That tenant");
  const duplicate = () => {
    const message = `${address} is already a sender mailbox of ${tenant.name}.`;
    return new AppError("MAILBOX_EXISTS", { userMessage: message, status: 409, fields: { address: message } });
  };
  try {
    return await db().$transaction(async (tx) => {
      const m = await tx.senderMailbox.create({
        data: { tenantId, address, allowed: true, policyStatus: "unknown" },
        select: { id: true, address: true },
      });
      await recordAudit({ actor, action: "mailbox.added", target: address, tenantId, after: { address, allowed: true, policyStatus: "unknown" } }, tx);
      return m;
    });
  } catch (err) {
    if (err && typeof err === "object" && (err as { code?: string }).code === "P2002") throw duplicate();
    throw err;
  }
}
