"use client";
import { useEffect, useState } from "react";
import type { SendStatusView } from "@/lib/schemas/compose";
import { formatBytes } from "./attachments";

type View = SendStatusView & { progress: { phase: string; uploadedBytes: number; totalBytes: number } | null };

const FINAL = ["accepted", "failed", "uncertain"];

function headline(v: View): string {
  switch (v.status) {
    case "queued":
      return "Queued";
    case "sending":
      return "Sending…";
    case "retrying":
      return `Retrying in ${v.retryInSeconds ?? 0} s`;
    case "accepted":
      return "Accepted by Microsoft";
    case "failed":
      return "Not sent";
    case "uncertain":
      return "Outcome unknown";
  }
}

/** Polls the send's status until it is final: queued → sending → retrying in N s → accepted/failed. */
export function SendStatus({ sendId }: { sendId: string }) {
  const [v, setV] = useState<View | null>(null);
  const [error, setError] = useState<string | null>(null);
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

  if (!v) return <p className="text-sm">{error ?? "Queued…"}</p>;
  const tone = v.status === "accepted" ? "text-emerald-700 dark:text-emerald-300" : v.status === "failed" || v.status === "uncertain" ? "text-red-700 dark:text-red-300" : "";
  return (
    <section aria-labelledby="send-status-heading" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <h2 id="send-status-heading" className="text-base font-semibold">
        Send status: <span role="status" aria-live="polite" data-testid="send-status" className={tone}>{headline(v)}</span>
      </h2>
      {v.status === "accepted" ? <p className="text-sm">Microsoft accepted the message (202). Delivery problems, such as an unknown recipient, come back to the sender as a bounce.</p> : null}
      {v.progress && v.status === "sending" ? (
        <div className="flex items-center gap-2 text-sm">
          <span>{v.progress.phase}</span>
          <progress max={100} value={v.progress.totalBytes ? Math.round((v.progress.uploadedBytes / v.progress.totalBytes) * 100) : 0} aria-label="Upload to Microsoft" className="h-2 w-40" />
          <span className="text-xs text-slate-500">{formatBytes(v.progress.uploadedBytes)} of {formatBytes(v.progress.totalBytes)}</span>
        </div>
      ) : null}
      {v.explanation ? (
        <div role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-100">
          <p className="font-semibold">{v.explanation.title}</p>
          <p>{v.explanation.detail}</p>
          <p>{v.explanation.action}</p>
          {v.requestId ? <p className="mt-1 text-xs">Request-id for Microsoft support: <code>{v.requestId}</code></p> : null}
        </div>
      ) : null}
      {v.attempts.length ? (
        <table className="w-full text-left text-xs">
          <caption className="sr-only">Graph calls for this send</caption>
          <thead className="text-slate-500">
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
      ) : null}
    </section>
  );
}
