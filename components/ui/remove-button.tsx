"use client";
import type { ActionState } from "@/lib/action-state";
import { Button } from "./button";
import { FormMessage } from "./form-message";
import { useFormAction } from "./use-form-action";

/**
 * A small "Remove" button that posts hidden ids to a server action on the action() wrapper and shows its
 * refusal beside it. `label` is the accessible name that says what goes ("Remove HR team from hr@…").
 */
export function RemoveButton<R>({ action, fields, label }: { action: (prev: ActionState<R>, data: FormData) => Promise<ActionState<R>>; fields: Record<string, string>; label: string }) {
  const { state, formAction, pending } = useFormAction(action);
  return (
    <form action={formAction} className="inline">
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <Button type="submit" variant="ghost" className="!px-2 !py-0.5 text-xs" disabled={pending} aria-label={label}>
        {pending ? "Removing…" : "Remove"}
      </Button>
      <FormMessage state={state} />
    </form>
  );
}
