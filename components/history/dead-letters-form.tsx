"use client";
import Link from "next/link";
import { useActionState, useState } from "react";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { idle, type ActionState } from "@/lib/action-state";
import type { DeadLetter } from "@/lib/dead-letters/list-dead-letters";

/** A dead letter as the page passes it (dates as ISO strings). */
type Row = Omit<DeadLetter, "createdAt" | "completedAt"> & { createdAt: string; completedAt: string | null };
type Outcome = { id: string; ok: boolean; newId?: string; reason?: string };
type Act = (prev: ActionState<Outcome[]>, form: FormData) => Promise<ActionState<Outcome[]>>;

/**
 * The dead-letter list with a bulk bar: select sends, then Retry selected (the primary action) or
 * Discard selected. Per-send refusals (e.g. the sender is no longer granted the mailbox) are listed
 * under the bar with their reason.
 */
export function DeadLettersForm({ rows, retry, discard }: { rows: Row[]; retry: Act; discard: Act }) {
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [retryState, retryAction, retrying] = useActionState(retry, idle as ActionState<Outcome[]>);
  const [discardState, discardAction, discarding] = useActionState(discard, idle as ActionState<Outcome[]>);
  const pending = retrying || discarding;
  const toggle = (id: string) => setSelected((s) => {
    const n = new Set(s);
    if (n.has(id)) n.delete(id);
    else n.add(id);
    return n;
  });
  const all = selected.size === rows.length;
  const refusals = [retryState, discardState].flatMap((s) => (s.status === "ok" && s.data ? s.data.filter((o) => !o.ok) : []));
  const fieldError = [retryState, discardState].map((s) => (s.status === "error" ? s.fields?.sendIds : undefined)).find(Boolean);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return (
    <form className="space-y-3">
      {[...selected].map((id) => <input key={id} type="hidden" name="sendIds" value={id} />)}
      <div className="flex flex-wrap items-center gap-2" role="toolbar" aria-label="Selected dead letters">
        <Button type="submit" formAction={retryAction} disabled={pending || selected.size === 0}>
          {retrying ? "Queueing…" : `Retry selected (${selected.size})`}
        </Button>
        <Button type="submit" variant="secondary" formAction={discardAction} disabled={pending || selected.size === 0}>
          {discarding ? "Discarding…" : "Discard selected"}
        </Button>
      </div>
      <FormMessage state={retryState} />
      <FormMessage state={discardState} />
      {fieldError ? <p role="alert" className="text-sm text-red-700 dark:text-red-300">{fieldError}</p> : null}
      {[retryState, discardState].map((s, i) => (s.status === "ok" && s.message ? <p key={i} role="status" className="text-sm">{s.message}</p> : null))}
      {refusals.length ? (
        <ul aria-label="Refused" className="list-disc space-y-1 pl-5 text-sm text-red-800 dark:text-red-200">
          {refusals.map((o) => (
            <li key={o.id}>
              <a className="underline" href={`/history/${o.id}`}>{byId.get(o.id)?.subject ?? o.id}</a>: {o.reason}
            </li>
          ))}
        </ul>
      ) : null}
      {rows.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Nothing failed for good. Sends still retrying are in <Link className="underline" href="/history?status=retrying">History</Link>.
        </p>
      ) : (
      <div className="overflow-x-auto">
        <table className="w-full text-left text-sm">
          <thead>
            <tr className="border-b border-slate-200 dark:border-slate-800">
              <th className="p-2">
                <input
                  type="checkbox"
                  aria-label="Select all"
                  checked={all}
                  onChange={() => setSelected(all ? new Set() : new Set(rows.map((r) => r.id)))}
                />
              </th>
              <th className="p-2">Failed</th>
              <th className="p-2">From</th>
              <th className="p-2">Subject</th>
              <th className="p-2">Reason</th>
              <th className="p-2">Tries</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} className="border-b border-slate-100 align-top dark:border-slate-900">
                <td className="p-2">
                  <input type="checkbox" aria-label={`Select "${r.subject}"`} checked={selected.has(r.id)} onChange={() => toggle(r.id)} />
                </td>
                <td className="p-2 whitespace-nowrap">{r.completedAt ? new Date(r.completedAt).toLocaleString() : "—"}</td>
                <td className="p-2">
                  {r.fromAddress}
                  <div className="text-xs text-slate-500">{r.tenantName} · {r.mode === "delegated" ? "as the sender" : "application"}{r.actor ? ` · by ${r.actor}` : ""}</div>
                </td>
                <td className="p-2"><a className="text-brand-600 underline" href={`/history/${r.id}`}>{r.subject || "(no subject)"}</a></td>
                <td className="p-2">
                  <code className="text-xs">{r.errorCode ?? "—"}</code>
                  <div>{r.errorMessage ?? ""}</div>
                </td>
                <td className="p-2">{r.attemptCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      )}
    </form>
  );
}
