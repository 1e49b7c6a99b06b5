"use client";
import { useActionState } from "react";
import { idle, type ActionState } from "@/lib/action-state";

/**
 * useActionState for forms on the action() wrapper, plus what a refused submit gives back: per-field
 * messages and the values typed (secrets excluded), so no form re-derives them.
 */
export function useFormAction<R>(action: (prev: ActionState<R>, data: FormData) => Promise<ActionState<R>>) {
  const [state, formAction, pending] = useActionState(action, idle as ActionState<R>);
  const fields = state.status === "error" ? state.fields : undefined;
  const values = state.status === "error" ? state.values : undefined;
  return { state, formAction, pending, fields, values };
}
