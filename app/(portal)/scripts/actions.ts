"use server";
import { revalidatePath } from "next/cache";
import { action } from "@/lib/action";
import { deleteScript } from "@/lib/scripts/inventory/delete-script";
import { reconvertScript } from "@/lib/scripts/inventory/reconvert-script";
import { reconvertScriptSchema, scriptIdSchema } from "@/lib/schemas/scripts";

const what = "manage scripts";

export const reconvertScriptAction = action({ schema: reconvertScriptSchema, roles: ["admin"], what }, async (input, { user }) => {
  const r = await reconvertScript(user!, input);
  revalidatePath("/scripts");
  revalidatePath(`/scripts/${input.scriptId}`);
  return { status: "ok", message: `Converted again: ${r.convertedCount} of ${r.callsFound} calls, ${r.attentionCount} to look at.` };
});

export const deleteScriptAction = action({ schema: scriptIdSchema, roles: ["admin"], what }, async (input, { user }) => {
  await deleteScript(user!, input);
  revalidatePath("/scripts");
  return { status: "ok", message: "Script deleted from the inventory." };
});
