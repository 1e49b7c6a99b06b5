"use client";
import { DeliveryBadge } from "@/components/history/delivery-card";
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { Badge, Card } from "@/components/ui/card";
import type { RecipientView, RunProgress } from "@/lib/bulk/run-view";
import { RECIPIENT_LABELS, STATUS_LABELS } from "@/lib/glossary";
import { RUN_STATUS_LABELS } from "@/lib/schemas/bulk";
import { ControlButton } from "./control-button";

/** The progress route's JSON: the lib's view, every field already JSON-safe. */
export type ProgressJson = RunProgress & { recipients: RecipientView[] };

/** A recipient's result in the glossary's words (lib/glossary.ts), the same as History and Compose. */
const result = (status: string): string => (RECIPIENT_LABELS as Record<string, string>)[status] ?? status;

function eta(s: number | null): string {
  if (s === null) return "—";
  if (s < 90) return `about ${s} s`;
  const m = Math.round(s / 60);
  return m < 90 ? `about ${m} min` : `about ${Math.round(m / 60)} h`;
}

/** The run's live view: a progress bar, counts and the estimate (polled every 2 s), the controls, each recipient's result. */
export function RunProgressView({ initial, mayAct, mine }: { initial: ProgressJson; mayAct: boolean; mine: boolean }) {
  const [p, setP] = useState(initial);
  const refresh = useCallback(async () => {
    const res = await fetch(`/api/bulk/${initial.id}`, { cache: "no-store" });
    if (res.ok) setP((await res.json()) as ProgressJson);
  }, [initial.id]);
  const live = p.status === "running" || p.inOutbox > 0;
  useEffect(() => {
    if (!live) return;
    const t = setInterval(() => void refresh(), 2_000);
    return () => clearInterval(t);
  }, [live, refresh]);

  const done = p.sent + p.failed + p.uncertain + p.skipped;
  const pct = p.total ? Math.round((done / p.total) * 100) : 100;
  return (
    <div className="space-y-6">
      <Card title={<span className="flex items-center gap-2">Progress <Badge tone={p.status === "done" ? "good" : p.status === "cancelled" ? "bad" : "warn"}><span data-testid="run-status">{RUN_STATUS_LABELS[p.status]}</span></Badge></span>}>
        <div role="progressbar" aria-label="Messages handled" aria-valuemin={0} aria-valuemax={p.total} aria-valuenow={done} aria-valuetext={`${done} of ${p.total}`} className="h-3 w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800">
          <div className="h-full bg-brand-600 transition-all" style={{ width: `${pct}%` }} />
        </div>
        <dl className="mt-3 grid grid-cols-2 gap-2 text-sm sm:grid-cols-4 lg:grid-cols-7" aria-live="polite">
          <div><dt className="text-slate-500">{RECIPIENT_LABELS.pending}</dt><dd data-testid="count-pending">{p.pending}</dd></div>
          <div><dt className="text-slate-500">In the outbox</dt><dd data-testid="count-queued">{p.inOutbox}</dd></div>
          <div><dt className="text-slate-500">{STATUS_LABELS.accepted}</dt><dd data-testid="count-sent">{p.sent}</dd></div>
          <div><dt className="text-slate-500">{STATUS_LABELS.failed}</dt><dd data-testid="count-failed">{p.failed}</dd></div>
          <div><dt className="text-slate-500">{STATUS_LABELS.uncertain}</dt><dd data-testid="count-uncertain">{p.uncertain}</dd></div>
          <div><dt className="text-slate-500">{RECIPIENT_LABELS.skipped}</dt><dd>{p.skipped}</dd></div>
          <div><dt className="text-slate-500">Time left</dt><dd>{eta(p.etaSeconds)} <span className="text-xs text-slate-500">at {p.perMinute}/min</span></dd></div>
        </dl>
        {p.stopReason ? <p role="alert" className="mt-3 text-sm text-amber-800 dark:text-amber-200">The run stopped by itself: {p.stopReason}</p> : null}
        {p.status === "paused" ? <p className="mt-3 text-sm text-slate-600 dark:text-slate-400">Paused: nothing more is queued; messages already in the outbox finish.</p> : null}
        {mayAct && (p.status === "running" || p.status === "paused") ? (
          <div className="mt-4 flex flex-wrap gap-3">
            {p.status === "running" ? <ControlButton runId={p.id} op="pause" label="Pause" onDone={refresh} /> : null}
            {p.status === "paused" && mine ? <ControlButton runId={p.id} op="resume" label="Resume" onDone={refresh} /> : null}
            <ControlButton runId={p.id} op="cancel" label="Cancel run" variant="danger" onDone={refresh} />
          </div>
        ) : null}
      </Card>
      <Card title="Recipients">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Each recipient&apos;s result</caption>
          <thead>
            <tr className="border-b border-slate-200 dark:border-slate-800">
              <th scope="col" className="py-2 pr-3">Recipient</th>
              <th scope="col" className="py-2 pr-3">Result</th>
              <th scope="col" className="py-2 pr-3">Delivery</th>
              <th scope="col" className="py-2 pr-3">Send</th>
            </tr>
          </thead>
          <tbody>
            {p.recipients.map((r) => (
              <tr key={r.id} className="border-b border-slate-100 dark:border-slate-800/60" data-testid="recipient-row">
                <td className="py-2 pr-3">{r.displayName ? `${r.displayName} ` : ""}<span className="text-slate-500">{r.address}</span></td>
                <td className="py-2 pr-3">{result(r.status)}{r.error ? <span className="block text-xs text-red-600">{r.error}</span> : null}</td>
                <td className="py-2 pr-3">{r.delivery ? <DeliveryBadge status={r.delivery} /> : <span className="text-slate-400">—</span>}</td>
                <td className="py-2 pr-3">{r.sendId ? <Link href={`/history/${r.sendId}`} className="text-brand-600 underline">Open in History</Link> : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {p.recipients.length < p.total ? <p className="mt-2 text-xs text-slate-500">The first {p.recipients.length} of {p.total} recipients are listed.</p> : null}
      </Card>
    </div>
  );
}
