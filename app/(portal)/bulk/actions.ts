"use server";
import { redirect } from "next/navigation";
import { action } from "@/lib/action";
import { controlRun } from "@/lib/bulk/control-run";
import { createRun } from "@/lib/bulk/create-run";
import { saveTemplate } from "@/lib/bulk/save-template";
import { controlSchema, newRunSchema, templateSchema } from "@/lib/schemas/bulk";

// Bulk runs: each action checks the person again in lib/bulk (role, visibility, the From mailbox's grant).
export const createRunAction = action({ schema: newRunSchema, roles: ["admin", "sender"], what: "send bulk runs" }, async (input, { user }) => {
  const { id } = await createRun(user!, input);
  redirect(`/bulk/${id}/template`);
});

export const saveTemplateAction = action({ schema: templateSchema, roles: ["admin", "sender"], what: "send bulk runs" }, async (input, { user }) => {
  await saveTemplate(user!, input);
  redirect(`/bulk/${input.runId}`);
});

export const controlRunAction = action({ schema: controlSchema, roles: ["admin", "sender"], what: "control bulk runs" }, async (input, { user }) => {
  const { status } = await controlRun(user!, input.runId, input.op);
  return { status: "ok", message: `The run is ${status}.`, data: { status } };
});
