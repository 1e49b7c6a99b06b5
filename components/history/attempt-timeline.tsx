import type { SendDetail } from "@/lib/history/find-send";
import { utc } from "./format";

/** Every Graph call made for the send, oldest first, with the facts Microsoft support asks for. */
export function AttemptTimeline({ attempts }: { attempts: SendDetail["attempts"] }) {
  if (attempts.length === 0) return <p className="text-sm text-slate-500">No attempt yet: the send is waiting in the outbox.</p>;
  return (
    <ol className="relative space-y-4 border-l border-slate-300 pl-5 dark:border-slate-700" aria-label="Attempts">
      {attempts.map((a) => (
        <li key={a.id} className="text-sm" data-testid="attempt">
          <span aria-hidden="true" className={`absolute -left-1.5 mt-1 h-3 w-3 rounded-full ${a.outcome === "accepted" ? "bg-emerald-600" : a.outcome === "retry" || a.outcome === "throttled" || a.outcome === "retried" ? "bg-amber-500" : "bg-red-600"}`} />
          <p className="font-medium">
            Attempt {a.number}{a.operation ? ` (${a.operation})` : ""}: {a.outcome} {a.httpStatus ? `· HTTP ${a.httpStatus}` : ""} {a.graphCode ? `· ${a.graphCode}` : ""}
          </p>
          <dl className="mt-1 grid grid-cols-[9rem_1fr] gap-x-3 gap-y-0.5 text-xs">
            <dt className="text-slate-500">Started</dt>
            <dd>{utc(a.startedAt)}</dd>
            <dt className="text-slate-500">Duration</dt>
            <dd>{a.durationMs !== null ? `${a.durationMs} ms` : "—"}</dd>
            {a.message ? (<><dt className="text-slate-500">Message</dt><dd className="break-words">{a.message}</dd></>) : null}
            <dt className="text-slate-500">request-id</dt>
            <dd className="break-all font-mono">{a.requestId ?? "—"}</dd>
            <dt className="text-slate-500">client-request-id</dt>
            <dd className="break-all font-mono">{a.clientRequestId ?? "—"}</dd>
            {a.retryAfterMs !== null ? (<><dt className="text-slate-500">Waited before retry</dt><dd>{(a.retryAfterMs / 1000).toFixed(1)} s</dd></>) : null}
          </dl>
        </li>
      ))}
    </ol>
  );
}
