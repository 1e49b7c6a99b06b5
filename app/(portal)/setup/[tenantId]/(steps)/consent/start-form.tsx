"use client";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { idle } from "@/lib/action-state";
import { startConsentAction } from "./actions";

export function StartConsentForm({ tenantId, variant = "primary" }: { tenantId: string; variant?: "primary" | "secondary" }) {
  const [state, formAction, pending] = useActionState(startConsentAction, idle);
  return (
    <form action={formAction}>
      <input type="hidden" name="tenantId" value={tenantId} />
      <FormMessage state={state} />
      <Button type="submit" variant={variant} disabled={pending}>Open admin consent</Button>
    </form>
  );
}
