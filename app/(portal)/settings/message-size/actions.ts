"use server";
import { revalidatePath } from "next/cache";
import { action } from "@/lib/action";
import { updateMaxSendSize } from "@/lib/tenants/update-max-send-size";
import { maxSendSizeSchema } from "@/lib/schemas/message-size";

export const updateMaxSendSizeAction = action({ schema: maxSendSizeSchema, roles: ["admin"], what: "change the message size limit" }, async (input, { user }) => {
  await updateMaxSendSize(user!, input);
  revalidatePath("/settings/message-size");
  revalidatePath("/compose");
  return { status: "ok", message: `Message size limit saved: ${input.maxSendSizeMB} MB.` };
});
