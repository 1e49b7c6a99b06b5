"use client";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { useFormAction } from "@/components/ui/use-form-action";
import { addMailboxAction } from "./actions";

/** Adds an address to the tenant's sender mailboxes; the field keeps what was typed when it is refused. */
export function AddMailboxForm({ tenantId, tenantName }: { tenantId: string; tenantName: string }) {
  const { state, formAction, pending, fields, values } = useFormAction(addMailboxAction);
  return (
    <form action={formAction} className="flex max-w-2xl flex-col gap-3 sm:flex-row sm:items-start" aria-label={`Add a sender mailbox to ${tenantName}`} noValidate>
      <input type="hidden" name="tenantId" value={tenantId} />
      <Field
        name="address"
        label="Mailbox address"
        type="email"
        inputMode="email"
        autoComplete="off"
        spellCheck={false}
        required
        placeholder="hr-welcome@contoso.com"
        defaultValue={values?.address}
        error={fields?.address}
        className="flex-1"
        hint="A user or shared mailbox. Exchange must also allow the app to send as it: Setup → Restrict senders, then prove it."
      />
      <div className="sm:pt-6">
        <Button type="submit" variant="secondary" disabled={pending}>
          {pending ? "Adding…" : "Add mailbox"}
        </Button>
      </div>
      <FormMessage state={fields?.address ? { status: "idle" } : state} />
    </form>
  );
}
