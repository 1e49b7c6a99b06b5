"use client";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { idle, type ActionState } from "@/lib/action-state";

type Act = (prev: ActionState<{ id: string }>, form: FormData) => Promise<ActionState<{ id: string }>>;

/** "Send again" for a failed send (admins). The new send is queued; the outbox sends it. */
export function SendAgainButton({ sendId, action }: { sendId: string; action: Act }) {
  const [state, formAction, pending] = useActionState(action, idle);
  return (
    <form action={formAction} className="space-y-2">
      <input type="hidden" name="sendId" value={sendId} />
      <Button type="submit" disabled={pending}>
        {pending ? "Queueing…" : "Send again"}
      </Button>
      <FormMessage state={state} />
      {state.status === "ok" && state.data ? (
        <p role="status" className="text-sm">
          Queued as a new send: <a className="text-brand-600 underline" href={`/history/${state.data.id}`}>open it</a>.
        </p>
      ) : null}
    </form>
  );
}
