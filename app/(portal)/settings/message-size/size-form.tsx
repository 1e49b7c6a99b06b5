"use client";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { idle } from "@/lib/action-state";
import { updateMaxSendSizeAction } from "./actions";

/** One tenant's message size limit; the field keeps what was typed when it is refused. */
export function SizeForm({ tenant }: { tenant: { id: string; name: string; maxSendSizeBytes: number } }) {
  const [state, formAction, pending] = useActionState(updateMaxSendSizeAction, idle);
  const values = state.status === "error" ? state.values : undefined;
  const fields = state.status === "error" ? state.fields : undefined;
  return (
    <form action={formAction} className="space-y-3" aria-label={`Message size limit for ${tenant.name}`}>
      <input type="hidden" name="tenantId" value={tenant.id} />
      <Field
        id={`max-send-size-${tenant.id}`}
        name="maxSendSizeMB"
        label="Sender mailboxes' message size limit (MB)"
        type="number"
        inputMode="numeric"
        min={1}
        max={150}
        required
        defaultValue={values?.maxSendSizeMB ?? String(Math.round(tenant.maxSendSizeBytes / 1024 / 1024))}
        error={fields?.maxSendSizeMB}
        hint="1 to 150. Exchange Online's default is 35 MB; enter what an Exchange admin set as MaxSendSize (Get-Mailbox | Format-List MaxSendSize)."
      />
      <Button type="submit" disabled={pending}>Save</Button>
      <FormMessage state={state} />
    </form>
  );
}
