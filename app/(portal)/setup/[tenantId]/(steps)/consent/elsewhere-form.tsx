"use client";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { idle } from "@/lib/action-state";
import { consentElsewhereAction } from "./actions";

export function ConsentElsewhereForm({ tenantId }: { tenantId: string }) {
  const [state, formAction, pending] = useActionState(consentElsewhereAction, idle);
  return (
    <form action={formAction}>
      <input type="hidden" name="tenantId" value={tenantId} />
      <FormMessage state={state} />
      <Button type="submit" variant="secondary" disabled={pending}>Someone else consented: verify instead</Button>
    </form>
  );
}
