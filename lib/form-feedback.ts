import type { ActionState } from "./action-state";

export interface FormFeedback {
  /** A form-level message, shown once above the form — only when no field carries the problem. */
  banner: string | null;
  /** Per-field messages, shown inline under each field (tied by aria-describedby). */
  fields: Record<string, string>;
}

/**
 * Where a refused submit's message goes, so it is said once: next to the field it names when it names
 * one (the form-level message then repeats it and is dropped), otherwise once above the form. No toast:
 * the page itself shows the result (issue 15: "toasts only for what the page does not show itself").
 * Browser-safe.
 */
export function formFeedback(state: ActionState<unknown>): FormFeedback {
  if (state.status !== "error") return { banner: null, fields: {} };
  const fields = state.fields ?? {};
  return { banner: Object.keys(fields).length > 0 ? null : state.message, fields };
}
