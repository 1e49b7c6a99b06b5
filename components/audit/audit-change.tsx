import { diffAudit } from "./diff";

const clip = (s: string) => (s.length > 120 ? `${s.slice(0, 119)}…` : s);

/**
 * One event's before → after: the changed fields only, then the full records on demand. Values are
 * text nodes (React escapes them), so a hostile target or value can never become markup.
 */
export function AuditChange({ before, after }: { before: unknown; after: unknown }) {
  if ((before === null || before === undefined) && (after === null || after === undefined)) {
    return <span className="text-slate-500">—</span>;
  }
  const { lines, unchanged } = diffAudit(before, after);
  return (
    <div className="space-y-1">
      {lines.length > 0 ? (
        <ul className="space-y-0.5 text-xs" aria-label="Changed fields">
          {lines.map((l) => (
            <li key={l.field} className="break-words" data-testid="audit-change">
              {l.field ? <span className="font-mono font-medium">{l.field}: </span> : null}
              <span className="text-red-700 dark:text-red-300" title={l.before ?? undefined}>
                {l.before === null ? "—" : clip(l.before)}
              </span>
              <span aria-hidden="true"> → </span>
              <span className="sr-only"> changed to </span>
              <span className="text-emerald-700 dark:text-emerald-300" title={l.after ?? undefined}>
                {l.after === null ? "—" : clip(l.after)}
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-xs text-slate-500">No field changed.</p>
      )}
      {unchanged > 0 ? (
        <p className="text-xs text-slate-500">
          {unchanged} unchanged field{unchanged === 1 ? "" : "s"}
        </p>
      ) : null}
      <details className="text-xs">
        <summary className="cursor-pointer text-slate-600 dark:text-slate-400">Full record</summary>
        <dl className="mt-1 grid gap-1">
          <dt className="font-medium">Before</dt>
          <dd>
            <pre className="max-h-48 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-100 p-2 dark:bg-slate-800">
              {before === null || before === undefined ? "—" : JSON.stringify(before, null, 2)}
            </pre>
          </dd>
          <dt className="font-medium">After</dt>
          <dd>
            <pre className="max-h-48 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-100 p-2 dark:bg-slate-800">
              {after === null || after === undefined ? "—" : JSON.stringify(after, null, 2)}
            </pre>
          </dd>
        </dl>
      </details>
    </div>
  );
}
