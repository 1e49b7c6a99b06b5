"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/action";
import { discardDeadLetters, retryDeadLetters, type Outcome } from "@/lib/dead-letters/resolve-dead-letters";

const sendId = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, "That is not a send id.");
const schema = z.object({
  sendIds: z.preprocess(
    (v) => [v ?? []].flat().filter((x) => x !== ""),
    z.array(sendId, { error: "Select the sends." }).min(1, "Select at least one send.").max(500, "Select at most 500 sends at once."),
  ),
});

function summary(verb: string, out: Outcome[]) {
  const done = out.filter((o) => o.ok).length;
  const refused = out.length - done;
  return `${done} ${verb}${refused ? `, ${refused} refused (reasons below)` : ""}.`;
}

export const retryDeadLettersAction = action({ schema, roles: ["admin"], what: "retry dead letters" }, async (input, { user }) => {
  const out = await retryDeadLetters(user!, input.sendIds);
  revalidatePath("/history/dead-letters");
  return { status: "ok", message: summary("queued again", out), data: out };
});

export const discardDeadLettersAction = action({ schema, roles: ["admin"], what: "discard dead letters" }, async (input, { user }) => {
  const out = await discardDeadLetters(user!, input.sendIds);
  revalidatePath("/history/dead-letters");
  return { status: "ok", message: summary("discarded", out), data: out };
});
