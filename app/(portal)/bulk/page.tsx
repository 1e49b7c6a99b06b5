import type { Metadata } from "next";
import Link from "next/link";
import { Badge, Card, PageHeader } from "@/components/ui/card";
import { buttonClass } from "@/components/ui/button";
import { pageUser } from "@/lib/auth/page-user";
import { mayCreateRuns } from "@/lib/bulk/access";
import { listRuns } from "@/lib/bulk/run-view";
import { RUN_STATUS_LABELS } from "@/lib/schemas/bulk";

export const metadata: Metadata = { title: "Bulk runs" };

const TONE = { draft: "neutral", running: "warn", paused: "warn", cancelled: "bad", done: "good" } as const;

export default async function BulkPage() {
  const user = await pageUser();
  const runs = await listRuns(user);
  return (
    <>
      <PageHeader
        title="Bulk runs"
        description="One message to many people — for example a welcome mail to every user created since a date — each queued once through the outbox and paced at Exchange's 30 messages a minute per mailbox."
        actions={mayCreateRuns(user) ? <Link href="/bulk/new" className={buttonClass("primary")}>New run</Link> : null}
      />
      <Card>
        {runs.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">No bulk runs yet.</p>
        ) : (
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Bulk runs</caption>
            <thead>
              <tr className="border-b border-slate-200 dark:border-slate-800">
                <th scope="col" className="py-2 pr-3">Run</th>
                <th scope="col" className="py-2 pr-3">From</th>
                <th scope="col" className="py-2 pr-3">Recipients</th>
                <th scope="col" className="py-2 pr-3">Status</th>
                <th scope="col" className="py-2 pr-3">Created</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id} className="border-b border-slate-100 dark:border-slate-800/60">
                  <td className="py-2 pr-3"><Link href={`/bulk/${r.id}`} className="text-brand-600 underline">{r.name}</Link></td>
                  <td className="py-2 pr-3">{r.fromAddress} <span className="text-slate-500">({r.tenant.name})</span></td>
                  <td className="py-2 pr-3">{r.total}</td>
                  <td className="py-2 pr-3"><Badge tone={TONE[r.status]}>{RUN_STATUS_LABELS[r.status]}</Badge></td>
                  <td className="py-2 pr-3">{r.createdAt.toISOString().slice(0, 16).replace("T", " ")} · {r.createdBy.name ?? r.createdBy.email}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </>
  );
}
