import { utc } from "@/components/history/format";
import type { AuditEventView } from "@/lib/audit/view";
import { AuditChange } from "./audit-change";

/** The audit trail, newest first. Read-only: nothing in a row changes anything. */
export function AuditTable({ rows }: { rows: AuditEventView[] }) {
  if (rows.length === 0) return <p className="py-6 text-center text-sm text-slate-500">No audit events match these filters.</p>;
  return (
    // `relative`: the change column's screen-reader-only labels are positioned absolutely; without a
    // positioned ancestor here they escape the scroll container and widen the whole page on a phone.
    <div className="relative overflow-x-auto">
      <table className="w-full min-w-[48rem] text-left text-sm">
        <caption className="sr-only">Audit events, newest first</caption>
        <thead className="text-xs uppercase text-slate-500">
          <tr>
            <th scope="col" className="py-2 pr-3">Time</th>
            <th scope="col" className="py-2 pr-3">Who</th>
            <th scope="col" className="py-2 pr-3">Action</th>
            <th scope="col" className="py-2 pr-3">Target · tenant</th>
            <th scope="col" className="py-2 pr-3">Before → after</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} className="border-t border-slate-200 align-top dark:border-slate-800" data-testid="audit-row">
              <td className="whitespace-nowrap py-2 pr-3 text-xs text-slate-600 dark:text-slate-400">
                <time dateTime={r.at}>
                  {utc(r.at).slice(0, 10)}
                  <br />
                  {utc(r.at).slice(11)}
                </time>
              </td>
              <td className="max-w-[12rem] py-2 pr-3">
                <div className="break-words">{r.actor}</div>
                {r.actorEmail && r.actorEmail !== r.actor ? (
                  <div className="truncate text-xs text-slate-500" title={r.actorEmail}>
                    {r.actorEmail}
                  </div>
                ) : null}
              </td>
              <td className="py-2 pr-3 font-mono text-xs">{r.action}</td>
              <td className="max-w-[16rem] py-2 pr-3">
                <div className="break-words">{r.target ?? "—"}</div>
                {r.tenantName ? <div className="text-xs text-slate-500">{r.tenantName}</div> : null}
              </td>
              <td className="max-w-[24rem] py-2 pr-3">
                <AuditChange before={r.before} after={r.after} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
