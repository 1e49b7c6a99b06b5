"use client";
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { toast } from "sonner";

/**
 * A form's result, by one rule for every form: a toast only for what the page does not show itself.
 * - A refusal is shown here, in the page, in red, next to the form (role="alert"); never as a toast too.
 *   When the refusal is about a field the form has, the field shows it (FieldFrame) and this banner stays
 *   quiet unless it says something the field does not. A refusal about a field the form does not have
 *   (Send again's "from": the stored send's sender) is shown here.
 * - A success has no place of its own in most forms (a row disappears, a setting is saved): it is a green
 *   toast. A form that shows its success itself passes success="page" and gets no toast.
 */
export function FormMessage({ state, success = "toast" }: { state: { status: string; message?: string; fields?: Record<string, string> }; success?: "toast" | "page" }) {
  const anchor = useRef<HTMLElement>(null);
  const [fieldOnForm, setFieldOnForm] = useState(false);
  const field = state.status === "error" && state.message && state.fields ? Object.entries(state.fields).find(([, m]) => m === state.message)?.[0] : undefined;
  useLayoutEffect(() => {
    const form = anchor.current?.closest("form");
    setFieldOnForm(!!(field && form?.elements.namedItem(field)));
  }, [field]);
  useEffect(() => {
    if (success === "toast" && state.status === "ok" && state.message) toast.success(state.message);
  }, [state, success]);
  if (state.status !== "error" || !state.message || (field && fieldOnForm)) return <span ref={anchor} hidden />;
  return (
    <div ref={anchor as React.RefObject<HTMLDivElement>} role="alert" className="rounded-control border border-danger-border bg-danger-soft px-3 py-2 text-sm text-danger-soft-fg">
      {state.message}
    </div>
  );
}
