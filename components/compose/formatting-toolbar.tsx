"use client";

/** The toolbar; BodyField shows it disabled while the editor loads, so nothing moves when it arrives. */
export function FormattingToolbar({ tools }: { tools: [label: string, run: (() => void) | null, active: boolean][] }) {
  return (
    <div role="toolbar" aria-label="Formatting" className="flex gap-1 border-b border-slate-200 px-2 py-1 dark:border-slate-800">
      {tools.map(([label, run, active]) => (
        <button key={label} type="button" aria-pressed={active} disabled={!run} onClick={run ?? undefined} className={`rounded px-2 py-1 text-sm disabled:text-slate-500 ${active ? "bg-slate-200 dark:bg-slate-700" : "hover:bg-slate-100 dark:hover:bg-slate-800"}`}>
          {label}
        </button>
      ))}
    </div>
  );
}
