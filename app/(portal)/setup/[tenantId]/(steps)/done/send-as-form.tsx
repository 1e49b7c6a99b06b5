"use client";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { idle } from "@/lib/action-state";
import { sendAsProvedAction } from "./actions";

export function SendAsProvedForm({ tenantId }: { tenantId: string }) {
  const [state, formAction, pending] = useActionState(sendAsProvedAction, idle);
  return (
    <form action={formAction}>
      <input type="hidden" name="tenantId" value={tenantId} />
      <FormMessage state={state} />
      <Button type="submit" disabled={pending}>{pending ? "Granting…" : "Let me send as them: open Compose"}</Button>
    </form>
  );
}
