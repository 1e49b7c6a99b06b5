"use client";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { SelectField } from "@/components/ui/select-field";
import { useFormAction } from "@/components/ui/use-form-action";
import { INVITATION_VALID_DAYS, ROLES } from "@/lib/admission/schemas";
import { inviteUserAction } from "./actions";
import { OkMessage } from "./ok-message";

/** Invite an address to a tenant; a refused address stays in the field with its message. */
export function InviteForm({ tenant }: { tenant: { id: string; name: string } }) {
  const { state, formAction, pending, fields: f, values: v } = useFormAction(inviteUserAction);
  return (
    <form action={formAction} className="space-y-3" aria-label={`Invite to ${tenant.name}`} noValidate>
      <input type="hidden" name="tenantId" value={tenant.id} />
      <Field
        id={`invite-email-${tenant.id}`}
        name="email"
        type="email"
        label="Email address to invite"
        autoComplete="off"
        spellCheck={false}
        required
        defaultValue={v?.email ?? ""}
        error={f?.email}
        hint={`The address of their Microsoft account in ${tenant.name}. The invitation is open for ${INVITATION_VALID_DAYS} days and is bound to that account at the first sign-in.`}
      />
      <SelectField
        id={`invite-role-${tenant.id}`}
        name="role"
        label="Invite as"
        defaultValue={v?.role ?? "sender"}
        error={f?.role}
        options={ROLES.map((r) => ({ value: r, label: r }))}
      />
      <Button type="submit" disabled={pending}>
        {pending ? "Inviting…" : "Invite"}
      </Button>
      <FormMessage state={state} success="page" />
      <OkMessage state={state} />
    </form>
  );
}
