"use server";
import { headers } from "next/headers";
import { action } from "@/lib/action";
import { claimPortal } from "@/lib/auth/claim-portal";
import { clientIp } from "@/lib/rate-limit/client-ip";
import { claimSchema } from "@/lib/schemas/auth";

export const claimPortalAction = action({ schema: claimSchema, public: true, secret: ["password", "confirm", "code"] }, async (input) => {
  const h = await headers();
  await claimPortal(input, { ip: clientIp((name) => h.get(name)) });
  return { status: "ok", message: "You are the portal's first admin." };
});
