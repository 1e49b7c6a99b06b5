"use server";
import { z } from "zod";
import { action } from "@/lib/action";
import { queueSend } from "@/lib/sends/queue-send";
import { kickSend } from "@/lib/outbox/worker";

// The compose schema runs inside queueSend, the one writer of a Send (one validation for the page, the API and the wizard).
const passthrough = z.record(z.string(), z.unknown());

export const sendAction = action({ schema: passthrough, roles: ["admin", "sender"], what: "send mail" }, async (input, { user }) => {
  const { id } = await queueSend({ ...input, actor: user! }, { origin: "compose" });
  kickSend(id);
  return { status: "ok", message: "Queued for sending.", data: { sendId: id } };
});
