interface Row {
  address: string;
  sends: number;
  peakPerMinute: number;
  peakRecipientsPerDay: number;
}

/** A labelled meter against a limit: green, amber from 80 %, red at the limit. */
export function Meter({ value, limit, label, name }: { value: number; limit: number; label: string; name: string }) {
  const pct = Math.min(100, (value / limit) * 100);
  const tone = pct >= 100 ? "bg-red-600" : pct >= 80 ? "bg-amber-500" : "bg-emerald-600";
  return (
    <div>
      <div className="flex justify-between gap-2 text-xs"><span>{label}</span><span>{value.toLocaleString("en-US")} / {limit.toLocaleString("en-US")}</span></div>
      <div role="meter" aria-label={name} aria-valuemin={0} aria-valuemax={limit} aria-valuenow={value} className="mt-0.5 h-2 rounded bg-slate-200 dark:bg-slate-800">
        <div className={`h-2 rounded ${tone}`} style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

/** Each busy sender's peak minute and peak day against Exchange Online's per-mailbox limits. */
export function SenderVolume({ rows, limits }: { rows: Row[]; limits: { messagesPerMinute: number; recipientsPerDay: number } }) {
  if (rows.length === 0) return <p className="text-sm text-slate-500">No mail accepted by Microsoft in this range.</p>;
  return (
    <ul className="space-y-3">
      {rows.map((r) => (
        <li key={r.address} className="text-sm">
          <div className="mb-1 flex justify-between gap-2"><span className="break-all font-medium">{r.address}</span><span className="text-xs text-slate-500">{r.sends.toLocaleString("en-US")} sent</span></div>
          <div className="grid gap-2 sm:grid-cols-2 lg:grid-cols-1 xl:grid-cols-2">
            <Meter value={r.peakPerMinute} limit={limits.messagesPerMinute} label="Busiest minute" name={`Busiest minute of ${r.address}`} />
            <Meter value={r.peakRecipientsPerDay} limit={limits.recipientsPerDay} label="Recipients, busiest day" name={`Recipients on the busiest day of ${r.address}`} />
          </div>
        </li>
      ))}
    </ul>
  );
}
