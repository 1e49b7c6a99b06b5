import { CHART_LABELS as STATUS_LABELS, CHART_SERIES as SEND_STATUSES } from "@/lib/glossary";

// Fill colours per status; each also has a text label in the legend and the data table (not colour alone).
const COLORS: Record<string, string> = {
  accepted: "#10b981",
  delivered: "#047857",
  undelivered: "#ea580c",
  queued: "#94a3b8",
  sending: "#6366f1",
  retrying: "#f59e0b",
  failed: "#dc2626",
  uncertain: "#a855f7",
};

/** Sends per day by status as stacked bars, in inline SVG (no chart library), with a table for screen readers. */
export function DailyChart({ bars }: { bars: { day: string; counts: Record<string, number> }[] }) {
  const totals = bars.map((b) => Object.values(b.counts).reduce((a, n) => a + n, 0));
  const max = Math.max(1, ...totals);
  const W = 720;
  const H = 180;
  const pad = 24;
  const bw = (W - pad) / Math.max(bars.length, 1);
  return (
    <figure>
      <svg viewBox={`0 0 ${W} ${H + 20}`} role="img" aria-labelledby="daily-chart-title" className="h-auto w-full text-slate-500">
        <title id="daily-chart-title">{`Sends per day by status, ${bars[0]?.day ?? ""} to ${bars[bars.length - 1]?.day ?? ""}; busiest day ${max}`}</title>
        <text x={0} y={10} fontSize={10} fill="currentColor">{max}</text>
        <line x1={pad} x2={W} y1={H} y2={H} stroke="currentColor" strokeWidth={0.5} />
        {bars.map((b, i) => {
          let y = H;
          return (
            <g key={b.day}>
              {SEND_STATUSES.map((s) => {
                const n = b.counts[s] ?? 0;
                if (!n) return null;
                const h = (n / max) * (H - 14);
                y -= h;
                return <rect key={s} x={pad + i * bw + 1} y={y} width={Math.max(bw - 2, 1)} height={h} fill={COLORS[s]}><title>{`${b.day}: ${n} ${STATUS_LABELS[s]}`}</title></rect>;
              })}
              {bars.length <= 31 || i % Math.ceil(bars.length / 15) === 0 ? (
                <text x={pad + i * bw + bw / 2} y={H + 14} fontSize={9} textAnchor="middle" fill="currentColor">{b.day.slice(5)}</text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption className="mt-2 flex flex-wrap gap-3 text-xs">
        {SEND_STATUSES.map((s) => (
          <span key={s} className="inline-flex items-center gap-1">
            <span aria-hidden="true" className="inline-block h-3 w-3 rounded-sm" style={{ background: COLORS[s] }} />
            {STATUS_LABELS[s]}
          </span>
        ))}
      </figcaption>
      <details className="mt-2 text-sm">
        <summary className="cursor-pointer text-slate-600 dark:text-slate-400">Show as a table</summary>
        <table className="mt-2 text-left text-xs">
          <thead><tr><th scope="col" className="pr-3">Day</th>{SEND_STATUSES.map((s) => <th key={s} scope="col" className="pr-3">{STATUS_LABELS[s]}</th>)}</tr></thead>
          <tbody>
            {bars.map((b) => (
              <tr key={b.day}><th scope="row" className="pr-3 font-normal">{b.day}</th>{SEND_STATUSES.map((s) => <td key={s} className="pr-3">{b.counts[s] ?? 0}</td>)}</tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
