import Link from "next/link";
import { Card } from "@/components/ui/card";
import { STATUS_LABELS, TERMS } from "@/lib/glossary";
import type { SendCounts } from "@/lib/dashboard/send-counts";
import { FAILURE_DAYS } from "@/lib/dashboard/send-counts";

interface Item {
  label: string;
  n: number;
  href: string;
  hint: string;
}

/** Failures that need someone: each count links to the History view (or dead-letter list) that shows exactly those sends. */
export function NeedsAction({ counts, deadLetters }: { counts: SendCounts; deadLetters: boolean }) {
  const from = counts.failuresFrom;
  const items: Item[] = [
    { label: STATUS_LABELS.failed, n: counts.failed, href: `/history?status=failed&from=${from}`, hint: "refused, nothing sent" },
    { label: STATUS_LABELS.uncertain, n: counts.uncertain, href: `/history?status=uncertain&from=${from}`, hint: "may or may not have gone" },
    { label: TERMS.notDelivered, n: counts.notDelivered, href: `/history?delivery=failed&from=${from}`, hint: `${STATUS_LABELS.accepted}, then not delivered` },
  ];
  if (deadLetters) items.push({ label: TERMS.deadLetters, n: counts.deadLetters, href: "/history/dead-letters", hint: "failed, waiting to be retried or discarded" });
  const total = items.reduce((a, i) => a + i.n, 0);
  return (
    <Card title={TERMS.needsAction} className="h-full">
      <p className={`text-3xl font-semibold ${total > 0 ? "text-red-700 dark:text-red-300" : "text-emerald-700 dark:text-emerald-300"}`} data-testid="needs-action-total">
        {total > 0 ? total.toLocaleString("en-US") : "Nothing"}
      </p>
      <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">In the last {FAILURE_DAYS} days{deadLetters ? "; dead letters of any age" : ""}. Setup wizard tests are not counted.</p>
      <ul className="mt-3 space-y-1 text-sm" data-testid="needs-action">
        {items.map((i) => (
          <li key={i.label} className="flex items-baseline justify-between gap-3">
            <Link href={i.href} aria-label={`${i.label}: ${i.n}`} className="text-brand-600 underline-offset-2 hover:underline">
              {i.label}
            </Link>
            <span className="text-xs text-slate-500">{i.hint}</span>
            <span aria-hidden="true" className={`ml-auto font-semibold tabular-nums ${i.n > 0 ? "text-red-700 dark:text-red-300" : ""}`}>{i.n.toLocaleString("en-US")}</span>
          </li>
        ))}
      </ul>
    </Card>
  );
}
