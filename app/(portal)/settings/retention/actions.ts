"use server";
import { revalidatePath } from "next/cache";
import { action } from "@/lib/action";
import { updateRetention } from "@/lib/history/update-retention";
import { retentionSchema } from "@/lib/schemas/history";

export const updateRetentionAction = action({ schema: retentionSchema, roles: ["admin"], what: "change retention settings" }, async (input, { user }) => {
  await updateRetention(user!, input);
  revalidatePath("/settings/retention");
  return { status: "ok", message: `Retention saved: ${input.retentionDays} days${input.metadataOnly ? ", metadata only" : ""}.` };
});
