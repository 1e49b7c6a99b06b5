"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/action";
import { resendUncertain } from "@/lib/delivery/resend-uncertain";
import { sendAgain } from "@/lib/history/send-again";
import { kickSend } from "@/lib/outbox/worker";

const schema = z.object({ sendId: z.string().min(1, "Which send?").max(64).regex(/^[A-Za-z0-9_-]+$/, "That is not a send id.") });

export const sendAgainAction = action({ schema, roles: ["admin", "sender"], what: "send a message again" }, async (input, { user }) => {
  const copy = await sendAgain(user!, input.sendId);
  kickSend(copy.id);
  revalidatePath("/history");
  return { status: "ok", message: "Queued again: the outbox will send it shortly.", data: copy };
});

/** "Safe to send again" (admins): an uncertain send message trace did not find, queued again on purpose. */
export const resendUncertainAction = action({ schema, roles: ["admin"], what: "send an uncertain message again" }, async (input, { user }) => {
  const { newId } = await resendUncertain(user!, input.sendId);
  kickSend(newId);
  revalidatePath(`/history/${input.sendId}`);
  return { status: "ok", message: "Queued again: the outbox will send it shortly.", data: { id: newId } };
});
