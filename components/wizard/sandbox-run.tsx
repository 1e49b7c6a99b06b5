"use client";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { idle, type ActionState } from "@/lib/action-state";

export interface RunResult { transcript: string; ok: boolean; errors: number; clientId?: string; secretSaved?: boolean }

/**
 * "Run in the sandbox": the sandbox executes the generated script and answers the console transcript.
 * The transcript is shown here once and not kept; a client secret it printed was stored encrypted by the
 * server and cut from it before it reached the browser.
 */
export function SandboxRun({ action, tenantId, kind, label = "Run in the sandbox", variant = "secondary" }: {
  action: (prev: ActionState<RunResult>, data: FormData) => Promise<ActionState<RunResult>>;
  tenantId: string;
  kind: string;
  label?: string;
  variant?: "primary" | "secondary";
}) {
  const [state, formAction, pending] = useActionState(action, idle);
  const run = state.status === "ok" ? state.data : undefined;
  return (
    <form action={formAction} className="mt-3 space-y-2">
      <input type="hidden" name="tenantId" value={tenantId} />
      <input type="hidden" name="kind" value={kind} />
      <Button type="submit" variant={variant} disabled={pending}>{pending ? "Running…" : label}</Button>
      <FormMessage state={state} />
      {run ? (
        <div>
          <p className="text-sm" role="status">
            {run.ok ? "The script ran without errors." : `The script reported ${run.errors} error${run.errors === 1 ? "" : "s"}.`}
            {run.clientId ? ` The application (client) ID ${run.clientId} was filled in.` : ""}
            {run.secretSaved ? " The new client secret was saved, encrypted (it is not shown)." : ""}
          </p>
          <details className="mt-1">
            <summary className="cursor-pointer text-xs text-slate-600 dark:text-slate-400">Console transcript</summary>
          <pre role="log" aria-label="Sandbox console transcript" tabIndex={0} className="mt-1 max-h-80 overflow-auto rounded bg-black p-3 text-xs text-green-200">
            {run.transcript}
          </pre>
          </details>
        </div>
      ) : null}
    </form>
  );
}
