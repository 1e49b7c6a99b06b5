"use client";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { idle, type ActionState } from "@/lib/action-state";

/** One rotation step's button (the tenant id is the only input); its answer shows next to it. */
export function RotationButton({ action, tenantId, label, pendingLabel, variant = "primary" }: {
  action: (prev: ActionState<unknown>, data: FormData) => Promise<ActionState<unknown>>;
  tenantId: string;
  label: string;
  pendingLabel: string;
  variant?: "primary" | "secondary";
}) {
  const [state, formAction, pending] = useActionState(action, idle);
  return (
    <form action={formAction} className="space-y-2">
      <input type="hidden" name="tenantId" value={tenantId} />
      <Button type="submit" variant={variant} disabled={pending}>{pending ? pendingLabel : label}</Button>
      <FormMessage state={state} />
      {state.status === "ok" && state.message ? <p role="status" className="text-sm text-emerald-700 dark:text-emerald-300">{state.message}</p> : null}
    </form>
  );
}
