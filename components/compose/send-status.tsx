"use client";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { STATUS_LABELS } from "@/lib/glossary";
import type { SendStatusView } from "@/lib/schemas/addresses";
import { formatBytes } from "./attachments";
import { LazyUploadProgress as UploadProgress } from "./upload-progress-lazy";

type View = SendStatusView & { progress: { phase: string; uploadedBytes: number; totalBytes: number } | null };
export type SendOutcome = SendStatusView["status"];

const FINAL = ["accepted", "failed", "uncertain"];

/** The status in the glossary's words (lib/glossary.ts), as History and the dashboard say it; retrying adds when. */
function headline(v: View | null): string {
  const status = v?.status ?? "queued";
  if (status === "retrying") return `${STATUS_LABELS.retrying} in ${v?.retryInSeconds ?? 0} s`;
  return STATUS_LABELS[status];
}

/**
 * Polls the send's status until it is final: queued → sending → retrying in N s → accepted/failed. Shown
 * right under the Send button and focused when it appears, so the result is where the eye already is;
 * `actions` (Send another …) sit in it.
 */
export function SendStatus({ sendId, onStatus, actions }: { sendId: string; onStatus?: (s: SendOutcome) => void; actions?: ReactNode }) {
  const [v, setV] = useState<View | null>(null);
  const [error, setError] = useState<string | null>(null);
  const section = useRef<HTMLElement>(null);
  const report = useRef(onStatus);
  useEffect(() => {
    report.current = onStatus;
  });
  useEffect(() => {
    section.current?.focus();
  }, []);
  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout>;
    async function tick() {
      try {
        const res = await fetch(`/api/sends/${sendId}`, { cache: "no-store" });
        const body = (await res.json()) as View & { error?: { message: string } };
        if (!res.ok) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
        if (stop) return;
        setV(body);
        setError(null);
        report.current?.(body.status);
        if (FINAL.includes(body.status)) return;
      } catch (err) {
        if (!stop) setError((err as Error).message);
      }
      if (!stop) timer = setTimeout(tick, 600);
    }
    void tick();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [sendId]);

  const tone = v?.status === "accepted" ? "text-emerald-700 dark:text-emerald-300" : v?.status === "failed" || v?.status === "uncertain" ? "text-red-700 dark:text-red-300" : "";
  const border = v?.status === "accepted" ? "border-emerald-300 dark:border-emerald-800" : v?.status === "failed" || v?.status === "uncertain" ? "border-red-300 dark:border-red-800" : "border-slate-200 dark:border-slate-800";
  return (
    <section ref={section} tabIndex={-1} aria-labelledby="send-status-heading" className={`scroll-mt-4 space-y-3 rounded-lg border bg-white p-4 outline-none focus-visible:ring-2 focus-visible:ring-brand-600 dark:bg-slate-900 ${border}`}>
      <h2 id="send-status-heading" className="text-base font-semibold">
        Send status: <span role="status" aria-live="polite" data-testid="send-status" className={tone}>{headline(v)}</span>
      </h2>
      {error ? <p className="text-sm text-slate-600 dark:text-slate-300">Status not available yet: {error}. Trying again…</p> : null}
      {v?.status === "accepted" ? <p className="text-sm">Microsoft accepted the message (202). Delivery problems, such as an unknown recipient, come back to the sender as a bounce. It is in History.</p> : null}
      {v?.progress && v.status === "sending" ? (
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <span>{v.progress.phase}</span>
          <UploadProgress
            label="Upload to Microsoft"
            fraction={v.progress.totalBytes ? v.progress.uploadedBytes / v.progress.totalBytes : 0}
            detail={`${formatBytes(v.progress.uploadedBytes)} of ${formatBytes(v.progress.totalBytes)}`}
          />
        </div>
      ) : null}
      {v?.explanation ? (
        <div role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-100">
          <p className="font-semibold">{v.explanation.title}</p>
          <p>{v.explanation.detail}</p>
          <p>{v.explanation.action}</p>
          {v.requestId ? <p className="mt-1 text-xs">Request-id for Microsoft support: <code>{v.requestId}</code></p> : null}
        </div>
      ) : null}
      {actions ? <div className="flex flex-wrap items-center gap-3">{actions}</div> : null}
      {v?.attempts.length ? (
        <details>
          <summary className="cursor-pointer text-sm text-slate-700 dark:text-slate-300">Graph calls ({v.attempts.length})</summary>
          <table className="mt-2 w-full text-left text-xs">
            <caption className="sr-only">Graph calls for this send</caption>
            <thead className="text-slate-600 dark:text-slate-400">
              <tr>
                <th className="py-1 pr-2">#</th>
                <th className="py-1 pr-2">Call</th>
                <th className="py-1 pr-2">Result</th>
                <th className="py-1 pr-2">HTTP</th>
                <th className="py-1 pr-2">Code</th>
                <th className="py-1 pr-2">Took</th>
                <th className="py-1 pr-2">request-id</th>
              </tr>
            </thead>
            <tbody>
              {v.attempts.map((a) => (
                <tr key={a.number} className="border-t border-slate-100 dark:border-slate-800" data-testid="attempt">
                  <td className="py-1 pr-2">{a.number}</td>
                  <td className="py-1 pr-2">{a.operation}</td>
                  <td className="py-1 pr-2">{a.outcome}{a.retryAfterMs ? ` (Retry-After ${Math.ceil(a.retryAfterMs / 1000)} s)` : ""}</td>
                  <td className="py-1 pr-2">{a.httpStatus ?? "—"}</td>
                  <td className="py-1 pr-2">{a.graphCode ?? ""}</td>
                  <td className="py-1 pr-2">{a.durationMs !== null ? `${a.durationMs} ms` : ""}</td>
                  <td className="py-1 pr-2 font-mono">{a.requestId ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
    </section>
  );
}
