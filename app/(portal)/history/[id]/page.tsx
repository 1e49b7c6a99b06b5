import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Card, PageHeader } from "@/components/ui/card";
import { AttemptTimeline } from "@/components/history/attempt-timeline";
import { BodyFrame } from "@/components/history/body-frame";
import { bytes, utc } from "@/components/history/format";
import { DeliveryCard } from "@/components/history/delivery-card";
import { SendAgainButton } from "@/components/history/send-again-button";
import { UncertainCard } from "@/components/history/uncertain-card";
import { StatusBadge } from "@/components/history/status-badge";
import { pageUser } from "@/lib/auth/page-user";
import { AppError } from "@/lib/errors";
import { explainSend } from "@/lib/history/explain-send";
import { findSend, type SendDetail } from "@/lib/history/find-send";
import { MODE_LABELS, type SEND_MODES } from "@/lib/schemas/history";
import { resendUncertainAction, sendAgainAction } from "./actions";

export const metadata: Metadata = { title: "Send" };

export default async function SendDetailPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await pageUser();
  const { id } = await params;
  let s: SendDetail;
  try {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) notFound();
    s = await findSend(user, id);
  } catch (err) {
    if (err instanceof AppError && err.code === "NOT_FOUND") notFound();
    throw err;
  }
  const why = explainSend(s);
  const row = (label: string, value: React.ReactNode) => (
    <>
      <dt className="text-slate-500">{label}</dt>
      <dd className="break-words">{value}</dd>
    </>
  );
  return (
    <>
      <p className="mb-2 text-sm"><Link href="/history" className="text-brand-600 underline">← History</Link></p>
      <PageHeader title={s.subject || "(no subject)"} description={<span className="inline-flex items-center gap-2"><StatusBadge status={s.status} /> {utc(s.createdAt)} · {s.tenant.name}</span>} />
      <div className="grid gap-4 lg:grid-cols-[3fr_2fr]">
        <div className="space-y-4">
          <Card title="Message">
            <dl className="grid grid-cols-[8rem_1fr] gap-x-3 gap-y-1 text-sm">
              {row("From", s.fromAddress)}
              {row("To", s.toAddresses.join(", ") || "—")}
              {s.ccAddresses.length ? row("Cc", s.ccAddresses.join(", ")) : null}
              {s.bccAddresses.length ? row("Bcc", s.bccAddresses.join(", ")) : null}
              {s.replyToAddresses.length ? row("Reply-To", s.replyToAddresses.join(", ")) : null}
              {row("Recipients", s.recipientCount)}
              {row("Mode", MODE_LABELS[s.mode as (typeof SEND_MODES)[number]] ?? s.mode)}
              {s.test ? row("Purpose", "Restriction test (setup wizard): not counted in History") : null}
              {row("Sent by", s.actorUser ? `${s.actorUser.name ?? ""} <${s.actorUser.email}>` : s.apiKey ? `API key ${s.apiKey.name} (${s.apiKey.displayPrefix}…)` : "—")}
              {row("Size", bytes(s.sizeBytes))}
              {row("Importance", s.importance)}
              {row("Completed", utc(s.completedAt))}
              {s.headers.map((h, i) => <div key={i} className="contents">{row(h.name, h.value)}</div>)}
            </dl>
          </Card>
          <Card title="Attachments">
            {s.attachments.length === 0 ? <p className="text-sm text-slate-500">None.</p> : (
              <ul className="text-sm">{s.attachments.map((a, i) => <li key={i}>{a.name} <span className="text-slate-500">({bytes(a.size)}{a.contentType ? `, ${a.contentType}` : ""})</span></li>)}</ul>
            )}
          </Card>
          <Card title="Body">
            {s.body === null ? (
              <p className="text-sm text-slate-500">{s.tenant.metadataOnly ? "Not kept: this tenant keeps metadata only." : "Not kept."}</p>
            ) : (
              <BodyFrame body={s.body} bodyType={s.bodyType} subject={s.subject} />
            )}
          </Card>
        </div>
        <div className="space-y-4">
          {why ? (
            <Card title="What went wrong">
              <div role="note" aria-label="Explanation" className="space-y-2 text-sm">
                <p className="font-semibold">{why.title}</p>
                <p>{why.detail}</p>
                <p><span className="font-medium">What to do: </span>{why.action}</p>
                {why.transient ? <p className="text-xs text-slate-500">This is usually temporary.</p> : null}
              </div>
            </Card>
          ) : null}
          {s.status === "failed" && !s.test && (user.role === "admin" || user.role === "sender") ? (
            <Card title="Send again">
              {s.body === null ? (
                <p className="text-sm">The body was not kept (metadata only), so this message cannot be sent again.</p>
              ) : s.attachments.length > 0 ? (
                <p className="text-sm">Attachments are not kept after a send ends: compose this message again with its files.</p>
              ) : (
                <>
                  <p className="mb-2 text-sm">
                    Queue a copy of this message as {s.fromAddress}
                    {s.mode === "delegated" ? " (as yourself, delegated)" : ""}, under your own sender grants today.
                  </p>
                  <SendAgainButton sendId={s.id} action={sendAgainAction} />
                </>
              )}
            </Card>
          ) : null}
          {s.tenant.messageTrace && !s.test && (s.status === "accepted" || s.deliveries.length > 0) ? (
            <DeliveryCard sendId={s.id} rows={s.deliveries} checkedAt={s.deliveryCheckedAt} messageId={s.internetMessageId} />
          ) : null}
          {s.status === "uncertain" || s.traceEvidence ? (
            <UncertainCard sendId={s.id} status={s.status} evidence={s.traceEvidence} retriedAsId={s.retriedAsId} isAdmin={user.role === "admin"} action={resendUncertainAction} />
          ) : null}
          <Card title={`Attempts (${s.attempts.length})`}>
            <AttemptTimeline attempts={s.attempts} />
          </Card>
        </div>
      </div>
    </>
  );
}
