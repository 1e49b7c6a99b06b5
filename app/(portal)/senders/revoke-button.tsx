"use client";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { useFormAction } from "@/components/ui/use-form-action";
import { revokeAction } from "./actions";

/** Removes one grant; the accessible name says whose and which mailbox ("Remove HR team from hr@contoso.com"). */
export function RevokeButton({ tenantId, grantId, label }: { tenantId: string; grantId: string; label: string }) {
  const { state, formAction, pending } = useFormAction(revokeAction);
  return (
    <form action={formAction} className="inline">
      <input type="hidden" name="tenantId" value={tenantId} />
      <input type="hidden" name="grantId" value={grantId} />
      <Button type="submit" variant="ghost" className="!px-2 !py-0.5 text-xs" disabled={pending} aria-label={label}>
        {pending ? "Removing…" : "Remove"}
      </Button>
      <FormMessage state={state} />
    </form>
  );
}
