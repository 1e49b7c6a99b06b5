"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/action";
import { restrictSchema } from "@/lib/schemas/wizard";
import { saveRestriction } from "@/lib/tenants/wizard/save-restriction";

export const saveRestrictionAction = action(
  { schema: z.object({ tenantId: z.string().min(1).max(64) }).and(restrictSchema), roles: ["admin"], what: "set up tenants" },
  async ({ tenantId, ...input }, { user }) => {
    await saveRestriction(user!, tenantId, input);
    revalidatePath(`/setup/${tenantId}`, "layout");
    return { status: "ok" as const, message: "Saved. Run one of the scripts below, then prove it." };
  },
);
