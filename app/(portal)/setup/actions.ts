"use server";
import { action } from "@/lib/action";
import { claimPortal } from "@/lib/auth/claim-portal";
import { claimSchema } from "@/lib/schemas/auth";

export const claimPortalAction = action({ schema: claimSchema, public: true, secret: ["password", "confirm", "code"] }, async (input) => {
  await claimPortal(input);
  return { status: "ok", message: "You are the portal's first admin." };
});
