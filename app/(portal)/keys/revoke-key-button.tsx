"use client";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { useFormAction } from "@/components/ui/use-form-action";
import { revokeKeyAction } from "./actions";

/** Revokes one key at once ("Revoke nightly-welcome-script"). */
export function RevokeKeyButton({ keyId, name }: { keyId: string; name: string }) {
  const { state, formAction, pending } = useFormAction(revokeKeyAction);
  return (
    <form action={formAction} className="inline">
      <input type="hidden" name="keyId" value={keyId} />
      <Button type="submit" variant="ghost" className="!px-2 !py-0.5 text-xs" disabled={pending} aria-label={`Revoke ${name}`}>
        {pending ? "Revoking…" : "Revoke"}
      </Button>
      <FormMessage state={state} />
    </form>
  );
}
