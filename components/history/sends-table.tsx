import Link from "next/link";
import { Badge } from "@/components/ui/card";
import { MODE_LABELS, TERMS, type SEND_MODES } from "@/lib/glossary";
import { bytes, utc } from "./format";
import { DeliveryBadge } from "./delivery-card";
import { StatusBadge } from "./status-badge";

export interface SendRowView {
  id: string;
  createdAt: string;
  status: string;
  mode: string;
  tenantName: string;
  actorEmail: string | null;
  keyName: string | null;
  fromAddress: string;
  toAddresses: string[];
  recipientCount: number;
  subject: string;
  sizeBytes: number;
  attachmentCount: number;
  /** Message trace's verdict after acceptance, when traced (lib/delivery). */
  deliveryState?: string | null;
  /** A setup wizard restriction test (shown only when the filter asks for them). */
  test?: boolean;
}

/** The history list. Each subject links to the send's detail; the table scrolls sideways on phones. */
export function SendsTable({ rows }: { rows: SendRowView[] }) {
  if (rows.length === 0) return <p className="py-6 text-center text-sm text-slate-500">No sends match these filters.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full min-w-[48rem] text-left text-sm">
        <caption className="sr-only">Sends, newest first</caption>
        <thead className="text-xs uppercase text-slate-500">
          <tr>
            <th scope="col" className="py-2 pr-3">Time</th>
            <th scope="col" className="py-2 pr-3">Status</th>
            <th scope="col" className="py-2 pr-3">Subject</th>
            <th scope="col" className="py-2 pr-3">From · to</th>
            <th scope="col" className="py-2 pr-3">Mode · actor</th>
            <th scope="col" className="py-2 pr-3 text-right">Size</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} className="border-t border-slate-200 align-top dark:border-slate-800" data-testid="send-row">
              <td className="py-2 pr-3 text-xs text-slate-600 dark:text-slate-400">
                <time dateTime={r.createdAt}>{utc(r.createdAt).slice(0, 10)}<br />{utc(r.createdAt).slice(11)}</time>
              </td>
              <td className="py-2 pr-3">
                <StatusBadge status={r.status} />
                {r.deliveryState ? <div className="mt-1"><DeliveryBadge status={r.deliveryState} summary /></div> : null}
                {r.test ? <div className="mt-1"><Badge>{TERMS.wizardTest}</Badge></div> : null}
              </td>
              <td className="max-w-[18rem] py-2 pr-3">
                <Link href={`/history/${r.id}`} className="break-words font-medium text-brand-600 underline-offset-2 hover:underline">
                  {r.subject || "(no subject)"}
                </Link>
                <div className="text-xs text-slate-500">{r.tenantName}</div>
              </td>
              <td className="max-w-[15rem] py-2 pr-3">
                <div className="truncate" title={r.fromAddress}>{r.fromAddress}</div>
                <div className="truncate text-xs text-slate-500" title={r.toAddresses.join(", ")}>
                  to {r.toAddresses.slice(0, 2).join(", ") || "—"}
                  {r.recipientCount > Math.min(2, r.toAddresses.length) ? ` (${r.recipientCount} recipients)` : ""}
                </div>
              </td>
              <td className="max-w-[12rem] py-2 pr-3">
                <div>{MODE_LABELS[r.mode as (typeof SEND_MODES)[number]] ?? r.mode}</div>
                <div className="truncate text-xs text-slate-500" title={r.actorEmail ?? r.keyName ?? undefined}>{r.actorEmail ?? (r.keyName ? `key ${r.keyName}` : "—")}</div>
              </td>
              <td className="whitespace-nowrap py-2 pr-3 text-right">
                {bytes(r.sizeBytes)}
                {r.attachmentCount > 0 ? <div className="text-xs text-slate-500">{r.attachmentCount} attachment{r.attachmentCount === 1 ? "" : "s"}</div> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
