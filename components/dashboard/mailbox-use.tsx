import { Meter } from "@/components/history/sender-volume";
import type { MailboxUse as Row } from "@/lib/dashboard/mailbox-quota";

/** Each mailbox's last 24 hours against Exchange's per-mailbox limits, and the sends the outbox holds back for pacing. */
export function MailboxUse({ rows, limits, own }: { rows: Row[]; limits: { messagesPerMinute: number; recipientsPerDay: number }; own: boolean }) {
  if (rows.length === 0) return <p className="text-sm text-slate-500">No sends in the last 24 hours{own ? " from you" : ""}.</p>;
  return (
    <ul className="space-y-3" data-testid="mailbox-quota">
      {rows.map((r) => (
        <li key={r.address} className="text-sm">
          <div className="mb-1 flex flex-wrap justify-between gap-2">
            <span className="break-all font-medium">{r.address}</span>
            <span className="text-xs text-slate-500">
              {r.sends.toLocaleString("en-US")} sent{r.waiting > 0 ? ` · ${r.waiting.toLocaleString("en-US")} paced, waiting` : ""}
            </span>
          </div>
          <div className="grid gap-2 sm:grid-cols-2">
            <Meter value={r.peakRecipientsPerDay} limit={limits.recipientsPerDay} label="Recipients, last 24 h" name={`Recipients in the last 24 hours from ${r.address}`} />
            <Meter value={r.peakPerMinute} limit={limits.messagesPerMinute} label="Busiest minute" name={`Busiest minute of ${r.address}`} />
          </div>
        </li>
      ))}
    </ul>
  );
}
