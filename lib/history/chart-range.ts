import "server-only";
import type { HistoryFilter } from "../schemas/history";

const DAY = 86_400_000;

/** The chart's days: the filter's range, or the last 14 days; at most 92 bars so it stays readable. */
export function chartRange(f: HistoryFilter, now = new Date()): { from: string; to: string; days: string[] } {
  const today = now.toISOString().slice(0, 10);
  const to = f.to ?? (f.from && f.from > today ? f.from : today);
  let from = f.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 13 * DAY).toISOString().slice(0, 10);
  const span = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY + 1;
  if (span > 92) from = new Date(Date.parse(`${to}T00:00:00Z`) - 91 * DAY).toISOString().slice(0, 10);
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY) days.push(new Date(t).toISOString().slice(0, 10));
  return { from, to, days };
}
