"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/action";
import { runScriptSchema } from "@/lib/schemas/wizard";
import { runInSandbox, type SandboxRun } from "@/lib/tenants/wizard/run-in-sandbox";

/** "Run in the sandbox", shared by the Register, Credential and Restrict steps. */
export const runScriptAction = action(
  { schema: runScriptSchema.extend({ tenantId: z.string().min(1).max(64) }), roles: ["admin"], what: "run setup scripts" },
  async ({ tenantId, kind }, { user }) => {
    const run: SandboxRun = await runInSandbox(user!, tenantId, kind);
    revalidatePath(`/setup/${tenantId}`, "layout");
    return { status: "ok" as const, data: run };
  },
);
