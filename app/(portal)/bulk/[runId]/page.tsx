import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { BodyFrame } from "@/components/history/body-frame";
import { ControlButton } from "@/components/bulk/control-button";
import { RunProgressView } from "@/components/bulk/run-progress";
import { Card, PageHeader } from "@/components/ui/card";
import { buttonClass } from "@/components/ui/button";
import { pageUser } from "@/lib/auth/page-user";
import { previewRecipient, runDetail, runProgress, runRecipients } from "@/lib/bulk/run-view";
import { AppError } from "@/lib/errors";

export const metadata: Metadata = { title: "Bulk run" };

export default async function RunPage({ params, searchParams }: { params: Promise<{ runId: string }>; searchParams: Promise<{ recipient?: string }> }) {
  const user = await pageUser();
  const { runId } = await params;
  const { recipient } = await searchParams;
  const run = await runDetail(user, runId).catch((err: unknown) => {
    if (err instanceof AppError && err.status === 404) notFound();
    throw err;
  });
  const mayAct = user.role === "admin" || (user.role === "sender" && run.mine);

  if (run.status === "draft") {
    const written = Boolean(run.subject && run.html);
    const [preview, recipients] = written ? await Promise.all([previewRecipient(user, run.id, typeof recipient === "string" ? recipient : undefined), runRecipients(user, run.id, 500)]) : [null, []];
    return (
      <>
        <PageHeader title={run.name} description={`Step 3 of 3: review and start. ${run.total} recipient${run.total === 1 ? "" : "s"}, one message each, from ${run.fromAddress} (${run.tenantName}).`} />
        <div className="space-y-6">
          <Card title="Review">
            <dl className="grid grid-cols-[10rem_1fr] gap-y-1 text-sm">
              <dt className="text-slate-500">From</dt><dd>{run.fromAddress}</dd>
              <dt className="text-slate-500">Recipients</dt><dd>{run.total} ({run.source === "directory" ? `users created since ${run.since?.toISOString().slice(0, 10)}` : "from a CSV"})</dd>
              <dt className="text-slate-500">Cc</dt><dd>{run.ccAddresses.join(", ") || "—"}</dd>
              <dt className="text-slate-500">Attachment</dt><dd>{run.attachment ? `${run.attachment.name} (${Math.max(1, Math.round(run.attachment.size / 1024))} KB)` : "—"}</dd>
              <dt className="text-slate-500">Pace</dt><dd>about {Math.ceil(run.total / 30)} min at Exchange&apos;s 30 messages a minute per mailbox</dd>
            </dl>
            {run.mine ? <p className="mt-3 text-sm"><Link href={`/bulk/${run.id}/template`} className="text-brand-600 underline">{written ? "Edit the message" : "Write the message"}</Link></p> : null}
          </Card>
          {preview ? (
            <Card title="Preview">
              <form method="get" className="mb-3 flex flex-wrap items-end gap-2">
                <div className="space-y-1">
                  <label htmlFor="preview-recipient" className="block text-sm font-medium">Preview for</label>
                  <select id="preview-recipient" name="recipient" defaultValue={preview.recipientId} className="block rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-900">
                    {recipients.map((r) => <option key={r.id} value={r.id}>{r.displayName ? `${r.displayName} <${r.address}>` : r.address}</option>)}
                  </select>
                </div>
                <button type="submit" className={buttonClass("secondary")}>Show preview</button>
              </form>
              <p className="mb-2 text-sm"><span className="text-slate-500">To:</span> <span data-testid="preview-to">{preview.address}</span></p>
              <p className="mb-2 text-sm"><span className="text-slate-500">Subject:</span> <span data-testid="preview-subject">{preview.subject}</span></p>
              <BodyFrame body={preview.html} bodyType="html" subject={preview.subject} />
            </Card>
          ) : null}
          {run.mine && written ? <ControlButton runId={run.id} op="start" label="Start run" /> : null}
        </div>
      </>
    );
  }

  const [progress, recipients] = await Promise.all([runProgress(user, run.id), runRecipients(user, run.id)]);
  return (
    <>
      <PageHeader title={run.name} description={`From ${run.fromAddress} (${run.tenantName}) · subject "${run.subject}" · created by ${run.createdByName}`} />
      <RunProgressView initial={{ ...progress, recipients }} mayAct={mayAct} mine={run.mine} />
    </>
  );
}
