"use client";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { idle } from "@/lib/action-state";
import { proveAction } from "./actions";

export function ProveForm({ tenantId, again }: { tenantId: string; again: boolean }) {
  const [state, formAction, pending] = useActionState(proveAction, idle);
  return (
    <form action={formAction} className="space-y-2">
      <input type="hidden" name="tenantId" value={tenantId} />
      <FormMessage state={state} />
      <Button type="submit" disabled={pending}>{pending ? "Sending the test messages…" : again ? "Re-check" : "Send the test messages"}</Button>
    </form>
  );
}
