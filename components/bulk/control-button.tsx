"use client";
import { useRouter } from "next/navigation";
import { controlRunAction } from "@/app/(portal)/bulk/actions";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { useFormAction } from "@/components/ui/use-form-action";
import type { BulkOp } from "@/lib/schemas/bulk";

/** One of a run's controls (start, pause, resume, cancel) as its own small form. */
export function ControlButton({ runId, op, label, variant = "primary", onDone }: { runId: string; op: BulkOp; label: string; variant?: "primary" | "secondary" | "danger"; onDone?: () => void }) {
  const router = useRouter();
  const { state, formAction, pending } = useFormAction(async (prev: Parameters<typeof controlRunAction>[0], data: FormData) => {
    const next = await controlRunAction(prev, data);
    if (next.status === "ok") {
      onDone?.();
      router.refresh();
    }
    return next;
  });
  return (
    <form action={formAction} className="space-y-2">
      <input type="hidden" name="runId" value={runId} />
      <input type="hidden" name="op" value={op} />
      {state.status === "error" ? <FormMessage state={state} /> : null}
      <Button type="submit" variant={variant} disabled={pending}>{pending ? `${label}…` : label}</Button>
    </form>
  );
}
