import type { ActionState } from "@/lib/action-state";

/** A form's success, in place and announced politely (FormMessage shows errors and the toast). */
export function OkMessage({ state }: { state: ActionState<unknown> }) {
  if (state.status !== "ok" || !state.message) return null;
  return (
    <p role="status" className="text-xs text-emerald-700 dark:text-emerald-400">
      {state.message}
    </p>
  );
}
