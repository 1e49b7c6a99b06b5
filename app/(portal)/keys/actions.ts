"use server";
import { revalidatePath } from "next/cache";
import { action } from "@/lib/action";
import { createApiKey } from "@/lib/api-keys/create-key";
import { revokeApiKey } from "@/lib/api-keys/revoke-key";
import { createApiKeySchema, revokeApiKeySchema } from "@/lib/schemas/api-key";

const what = "manage API keys";

// The secret travels back once, in this action's answer; the page never renders it from the server.
export const createKeyAction = action({ schema: createApiKeySchema, roles: ["admin"], what }, async (input, { user }) => {
  const k = await createApiKey(user!, input);
  revalidatePath("/keys");
  return { status: "ok", message: `Key ${k.name} created. Copy its secret now: it is shown only once.`, data: { secret: k.secret, name: k.name, displayPrefix: k.displayPrefix } };
});

export const revokeKeyAction = action({ schema: revokeApiKeySchema, roles: ["admin"], what }, async (input, { user }) => {
  await revokeApiKey(user!, input);
  revalidatePath("/keys");
  return { status: "ok", message: "Key revoked: its next request is refused." };
});
