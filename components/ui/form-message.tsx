"use client";
import { useEffect } from "react";
import { toast } from "sonner";

/** Shows a form-level result as an alert in the page and as a toast. */
export function FormMessage({ state }: { state: { status: string; message?: string } }) {
  useEffect(() => {
    if (state.status === "ok" && state.message) toast.success(state.message);
    if (state.status === "error" && state.message) toast.error(state.message);
  }, [state]);
  if (state.status !== "error" || !state.message) return null;
  return (
    <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200">
      {state.message}
    </div>
  );
}
