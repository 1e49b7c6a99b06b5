"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/action";
import { sendAgain } from "@/lib/history/send-again";
import { kickSend } from "@/lib/outbox/worker";

const schema = z.object({ sendId: z.string().min(1, "Which send?").max(64).regex(/^[A-Za-z0-9_-]+$/, "That is not a send id.") });

export const sendAgainAction = action({ schema, roles: ["admin", "sender"], what: "send a message again" }, async (input, { user }) => {
  const copy = await sendAgain(user!, input.sendId);
  kickSend(copy.id);
  revalidatePath("/history");
  return { status: "ok", message: "Queued again: the outbox will send it shortly.", data: copy };
});
