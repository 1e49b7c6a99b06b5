import "server-only";
import { Prisma } from "@/generated/prisma/client";
import type { SessionUser } from "../auth/session";
import { recordAudit } from "../audit/record";
import { db } from "../db";
import { AppError, forbidden } from "../errors";
import type { TemplateInput } from "../schemas/bulk";
import { mayCreateRuns } from "./access";
import { asRunAttachment, claimRunAttachment, releaseRunAttachment } from "./attachment";
import { runPlaceholders } from "./run-fields";
import { templateErrors } from "./template";

/**
 * Step 2 of a bulk run: subject and HTML body with placeholders, the Cc list and the one attachment.
 * Only the run's creator edits it, and only while it is a draft. A placeholder that the recipients do
 * not provide is refused here, naming it, so the run can never reach Start with one.
 */
export async function saveTemplate(actor: SessionUser, input: TemplateInput): Promise<void> {
  if (!mayCreateRuns(actor)) throw forbidden("send bulk runs");
  const run = await db().bulkRun.findFirst({ where: { id: input.runId, createdById: actor.id } });
  if (!run) throw new AppError("NOT_FOUND", { userMessage: "That bulk run was not found.", status: 404 });
  if (run.status !== "draft") throw new AppError("RUN_NOT_DRAFT", { userMessage: "This run has started: its message can no longer change.", status: 409 });
  const known = await runPlaceholders(run.id);
  const errors = templateErrors(input, known);
  if (Object.keys(errors).length) throw new AppError("VALIDATION_FAILED", { userMessage: Object.values(errors)[0]!, status: 422, fields: errors });

  const before = asRunAttachment(run.attachment);
  let attachment = before;
  if (input.attachment === undefined) attachment = null;
  else if (input.attachment !== "keep" && input.attachment !== before?.id) attachment = await claimRunAttachment(actor.id, run.id, input.attachment);
  const n = await db().bulkRun.updateMany({
    where: { id: run.id, status: "draft" },
    data: { subject: input.subject, html: input.html, ccAddresses: input.cc, attachment: attachment ? (attachment as unknown as Prisma.InputJsonValue) : Prisma.DbNull },
  });
  if (n.count === 0) throw new AppError("RUN_NOT_DRAFT", { userMessage: "This run has started: its message can no longer change.", status: 409 });
  if (before && before.id !== attachment?.id) await releaseRunAttachment(before);
  await recordAudit({ actor, action: "bulk.template", target: run.id, tenantId: run.tenantId, after: { subject: input.subject, cc: input.cc, attachment: attachment?.name ?? null } });
}
