import Link from "next/link";
import { Card } from "@/components/ui/card";
import { utc } from "@/components/history/format";
import { STATUS_LABELS } from "@/lib/glossary";
import type { ActionState } from "@/lib/action-state";
import { SendAgainButton } from "./send-again-button";

type Act = (prev: ActionState<{ id: string }>, form: FormData) => Promise<ActionState<{ id: string }>>;

interface Evidence {
  resolution?: string;
  checkedAt?: string;
  messageId?: string;
  receivedDateTime?: string;
  sender?: string;
  recipients?: unknown[];
  windowStart?: string;
  windowEnd?: string;
  messagesExamined?: number;
}

/**
 * An uncertain send (the portal lost the answer after handing the message over) and what message trace
 * found: delivered after all, or not found — then, for admins, "safe to send again" with the evidence.
 * Never sent again without that explicit click.
 */
export function UncertainCard({ sendId, status, evidence, retriedAsId, isAdmin, action }: { sendId: string; status: string; evidence: unknown; retriedAsId: string | null; isAdmin: boolean; action: Act }) {
  const e = (evidence ?? {}) as Evidence;
  if (e.resolution === "found-in-trace") {
    return (
      <Card title="Uncertain send resolved">
        <p className="text-sm">Message trace found it: Exchange received it {utc(e.receivedDateTime ? new Date(e.receivedDateTime) : null)} as {e.messageId}. Marked &quot;{STATUS_LABELS.accepted}&quot; (checked {utc(e.checkedAt ? new Date(e.checkedAt) : null)}).</p>
      </Card>
    );
  }
  if (e.resolution !== "not-found") {
    return (
      <Card title="Uncertain send">
        <p className="text-sm">The portal handed this message to Microsoft and lost the answer. {status === "uncertain" ? "Message trace is checked before anyone may send it again." : ""}</p>
      </Card>
    );
  }
  const recipients = (e.recipients ?? []).map(String);
  return (
    <Card title="Safe to send again">
      <div className="space-y-2 text-sm">
        <p>Message trace has no message from {e.sender} to {recipients.join(", ")} between {utc(e.windowStart ? new Date(e.windowStart) : null)} and {utc(e.windowEnd ? new Date(e.windowEnd) : null)} ({e.messagesExamined ?? 0} message(s) of that sender examined, checked {utc(e.checkedAt ? new Date(e.checkedAt) : null)}): Exchange never received it.</p>
        {retriedAsId ? (
          <p>Sent again as <Link className="text-brand-600 underline" href={`/history/${retriedAsId}`}>a new send</Link>.</p>
        ) : isAdmin ? (
          <SendAgainButton sendId={sendId} action={action} />
        ) : (
          <p className="text-slate-500">An admin decides whether to send it again.</p>
        )}
      </div>
    </Card>
  );
}
