"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/action";
import { runRecommendedRestriction, type SandboxRun } from "@/lib/tenants/wizard/run-in-sandbox";

/** "Run both in the sandbox": the RBAC scope, then the removal of the tenant-wide grant. */
export const runRecommendedAction = action(
  { schema: z.object({ tenantId: z.string().min(1).max(64) }), roles: ["admin"], what: "run setup scripts" },
  async ({ tenantId }, { user }) => {
    const run: SandboxRun = await runRecommendedRestriction(user!, tenantId);
    revalidatePath(`/setup/${tenantId}`, "layout");
    return { status: "ok" as const, data: run };
  },
);
