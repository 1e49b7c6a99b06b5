import Link from "next/link";
import { Badge, Card } from "@/components/ui/card";
import { utc } from "@/components/history/format";
import { FAILED_STATUSES, statusLabel } from "@/lib/delivery/status";
import { DELIVERY_LABELS } from "@/lib/glossary";

export interface DeliveryRow {
  recipient: string;
  status: string;
  traceId: string | null;
  receivedAt: Date | null;
}

const tone = (s: string) => (s === "delivered" || s === "expanded" ? "good" : FAILED_STATUSES.has(s) ? "bad" : "warn");

/** A recipient's status, or (summary) a send's: "failed" then reads "Not delivered", beside "Accepted by Microsoft". */
export function DeliveryBadge({ status, summary = false }: { status: string; summary?: boolean }) {
  return <Badge tone={tone(status)}>{summary && (status === "failed" || status === "pending") ? DELIVERY_LABELS[status] : statusLabel(status)}</Badge>;
}

/**
 * Per-recipient delivery as Exchange message trace reported it, each with its detail events one click
 * away (fetched from Microsoft when opened). Shown when the tenant reads message trace.
 */
export function DeliveryCard({ sendId, rows, checkedAt, messageId }: { sendId: string; rows: DeliveryRow[]; checkedAt: Date | null; messageId: string | null }) {
  return (
    <Card title="Delivery">
      {rows.length === 0 ? (
        <p className="text-sm text-slate-500">{checkedAt ? `Not in message trace yet (last looked ${utc(checkedAt)}).` : "Not looked up yet: the trace job checks accepted sends every few minutes."}</p>
      ) : (
        <table className="w-full text-sm">
          <caption className="sr-only">Delivery per recipient</caption>
          <thead>
            <tr className="text-left text-slate-500"><th scope="col">Recipient</th><th scope="col">Status</th><th scope="col"><span className="sr-only">Events</span></th></tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.recipient} className="border-t border-slate-100 dark:border-slate-800">
                <td className="py-1 break-all">{r.recipient}</td>
                <td className="py-1"><DeliveryBadge status={r.status} /></td>
                <td className="py-1 text-right">
                  {r.traceId ? (
                    <Link className="text-brand-600 underline" href={`/history/${sendId}/delivery?recipient=${encodeURIComponent(r.recipient)}`} aria-label={`Delivery events for ${r.recipient}`}>
                      Events
                    </Link>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {messageId ? <p className="mt-2 break-all text-xs text-slate-500">Message-ID {messageId}{checkedAt ? ` · checked ${utc(checkedAt)}` : ""}</p> : null}
    </Card>
  );
}
