"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/action";
import { updateUser } from "@/lib/users/update-user";
import { roleSchema } from "@/lib/schemas/auth";

const schema = z.object({
  userId: z.string().min(1),
  role: roleSchema.optional(),
  disabled: z.enum(["true", "false"]).transform((v) => v === "true").optional(),
});

export const updateUserAction = action({ schema, roles: ["admin"], what: "manage users" }, async (input, { user }) => {
  await updateUser(user!, input);
  revalidatePath("/settings/users");
  return { status: "ok", message: "User updated." };
});
