import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { PageHeader } from "@/components/ui/card";
import { TemplateForm } from "@/components/bulk/template-form";
import { pageUser } from "@/lib/auth/page-user";
import { runDetail } from "@/lib/bulk/run-view";
import { AppError } from "@/lib/errors";

export const metadata: Metadata = { title: "Bulk run message" };

export default async function TemplatePage({ params }: { params: Promise<{ runId: string }> }) {
  const user = await pageUser(["admin", "sender"]);
  const { runId } = await params;
  const run = await runDetail(user, runId).catch((err: unknown) => {
    if (err instanceof AppError && err.status === 404) notFound();
    throw err;
  });
  if (!run.mine || run.status !== "draft") redirect(`/bulk/${run.id}`);
  return (
    <>
      <PageHeader title="The message" description={`Step 2 of 3 — ${run.name}: ${run.total} recipient${run.total === 1 ? "" : "s"}, from ${run.fromAddress}. Placeholders are filled per recipient; values are HTML-escaped in the body.`} />
      <TemplateForm
        runId={run.id}
        placeholders={run.placeholders}
        defaults={{ subject: run.subject, html: run.html, cc: run.ccAddresses.join(", ") }}
        attachment={run.attachment && !run.attachment.removed ? { name: run.attachment.name, size: run.attachment.size } : null}
      />
    </>
  );
}
