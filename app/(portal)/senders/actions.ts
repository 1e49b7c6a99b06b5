"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/action";
import { AppError } from "@/lib/errors";
import { addSenderMailbox, addSenderMailboxSchema } from "@/lib/grants/add-sender-mailbox";
import { grantMailbox } from "@/lib/grants/grant-mailbox";
import { removeSenderMailbox } from "@/lib/grants/remove-sender-mailbox";
import { revokeGrant } from "@/lib/grants/revoke-grant";

const id = z.string().min(1).max(64);
const what = "grant sender mailboxes";

/** The grant form's one select names both kinds of principal: "user:<id>" or "group:<id>". */
const grantSchema = z.object({
  tenantId: id,
  mailboxId: id,
  grantee: z
    .string({ error: "Choose a person or a group" })
    .regex(/^(user|group):[A-Za-z0-9_-]{1,64}$/, "Choose a person or a group")
    .transform((v) => {
      const [kind, principalId] = v.split(":") as ["user" | "group", string];
      return kind === "user" ? { userId: principalId } : { groupId: principalId };
    }),
});

export const grantAction = action({ schema: grantSchema, roles: ["admin"], what }, async ({ tenantId, mailboxId, grantee }, { user }) => {
  try {
    await grantMailbox(user!, { tenantId, mailboxId, ...grantee });
  } catch (err) {
    // lib names userId or groupId; on this form both are the one "grantee" select.
    if (err instanceof AppError && err.fields) {
      const message = err.fields.userId ?? err.fields.groupId ?? err.userMessage;
      throw new AppError(err.code, { userMessage: err.userMessage, status: err.status, fields: { grantee: message } });
    }
    throw err;
  }
  revalidatePath("/senders");
  return { status: "ok", message: "Granted." };
});

export const revokeAction = action({ schema: z.object({ tenantId: id, grantId: id }), roles: ["admin"], what }, async (input, { user }) => {
  await revokeGrant(user!, input);
  revalidatePath("/senders");
  return { status: "ok", message: "Removed." };
});

export const addMailboxAction = action({ schema: addSenderMailboxSchema, roles: ["admin"], what: "manage sender mailboxes" }, async (input, { user }) => {
  const m = await addSenderMailbox(user!, input);
  revalidatePath("/senders");
  return { status: "ok", message: `${m.address} added. Nobody may send as it until you grant it.` };
});

export const removeMailboxAction = action(
  { schema: z.object({ tenantId: id, mailboxId: id }), roles: ["admin"], what: "manage sender mailboxes" },
  async (input, { user }) => {
    await removeSenderMailbox(user!, input);
    revalidatePath("/senders");
    return { status: "ok", message: "Mailbox removed." };
  },
);
