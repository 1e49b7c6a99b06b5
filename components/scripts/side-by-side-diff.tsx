import { diffRows, type DiffRow } from "./diff-rows";

const tone: Record<DiffRow["kind"], [string, string]> = {
  same: ["", ""],
  changed: ["bg-red-50 dark:bg-red-950/40", "bg-emerald-50 dark:bg-emerald-950/40"],
  removed: ["bg-red-50 dark:bg-red-950/40", "bg-slate-50 dark:bg-slate-900"],
  added: ["bg-slate-50 dark:bg-slate-900", "bg-emerald-50 dark:bg-emerald-950/40"],
};
const mark: Record<DiffRow["kind"], [string, string]> = { same: ["", ""], changed: ["−", "+"], removed: ["−", ""], added: ["", "+"] };

/** The original and the converted script side by side, changed lines marked (− / +) as well as coloured. */
export function SideBySideDiff({ original, converted }: { original: string; converted: string }) {
  const rows = diffRows(original, converted);
  const changed = rows.filter((r) => r.kind !== "same").length;
  return (
    <div className="relative overflow-x-auto rounded border border-slate-200 dark:border-slate-800" tabIndex={0} aria-label="Side-by-side comparison of the original and converted script">
      <p className="sr-only">{changed} lines differ.</p>
      <table className="w-full border-collapse font-mono text-xs" data-testid="script-diff">
        <caption className="sr-only">Original on the left, converted on the right</caption>
        <thead className="bg-slate-100 text-left text-slate-600 dark:bg-slate-800 dark:text-slate-300">
          <tr>
            <th scope="col" className="w-10 px-2 py-1 text-right">#</th>
            <th scope="col" className="px-2 py-1">Original</th>
            <th scope="col" className="w-10 px-2 py-1 text-right">#</th>
            <th scope="col" className="px-2 py-1">Converted</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i} data-kind={row.kind}>
              <td className="select-none px-2 text-right align-top text-slate-400">{row.left?.n ?? ""}</td>
              <td className={`whitespace-pre-wrap break-all px-2 align-top ${tone[row.kind][0]}`}>
                {mark[row.kind][0] ? <span className="select-none text-red-700 dark:text-red-300" aria-label="removed">{mark[row.kind][0]} </span> : null}
                {row.left?.text ?? ""}
              </td>
              <td className="select-none border-l border-slate-200 px-2 text-right align-top text-slate-400 dark:border-slate-800">{row.right?.n ?? ""}</td>
              <td className={`whitespace-pre-wrap break-all px-2 align-top ${tone[row.kind][1]}`}>
                {mark[row.kind][1] ? <span className="select-none text-emerald-700 dark:text-emerald-300" aria-label="added">{mark[row.kind][1]} </span> : null}
                {row.right?.text ?? ""}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
