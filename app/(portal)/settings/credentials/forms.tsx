"use client";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { SelectField } from "@/components/ui/select-field";
import { useFormAction } from "@/components/ui/use-form-action";
import { addRotationCertificateAction, saveAlertSenderAction, saveRotationSecretAction } from "./actions";

const ok = (state: { status: string; message?: string }) =>
  state.status === "ok" && state.message ? <p role="status" className="text-sm text-emerald-700 dark:text-emerald-300">{state.message}</p> : null;

/** The mailbox that mails expiry warnings to every admin, as the choosing admin's send. */
export function AlertSenderForm({ tenants, current }: { tenants: { id: string; name: string }[]; current: { tenantId: string; fromAddress: string } | null }) {
  const { state, formAction, pending, fields: f, values: v } = useFormAction(saveAlertSenderAction);
  return (
    <form action={formAction} className="space-y-3" noValidate aria-label="Warning mailbox">
      <SelectField name="tenantId" label="Tenant" options={tenants.map((t) => ({ value: t.id, label: t.name }))} defaultValue={v?.tenantId ?? current?.tenantId} error={f?.tenantId} />
      <Field name="fromAddress" label="Send warnings from" type="email" required defaultValue={v?.fromAddress ?? current?.fromAddress ?? ""} error={f?.fromAddress}
        hint="A sender mailbox you are granted. Each warning is queued as your send (History shows it) to every admin." />
      <Button type="submit" disabled={pending}>{pending ? "Checking…" : "Save the warning mailbox"}</Button>
      <FormMessage state={state} success="page" />
      {ok(state)}
    </form>
  );
}

export function RotationCertificateForm({ tenantId }: { tenantId: string }) {
  const { state, formAction, pending, fields: f } = useFormAction(addRotationCertificateAction);
  return (
    <form action={formAction} className="flex flex-wrap items-end gap-3" noValidate>
      <input type="hidden" name="tenantId" value={tenantId} />
      <SelectField name="years" label="Valid for" options={[{ value: "1", label: "1 year" }, { value: "2", label: "2 years" }]} defaultValue="1" error={f?.years} />
      <Button type="submit" disabled={pending}>{pending ? "Generating…" : "Make a new certificate"}</Button>
      <div className="w-full"><FormMessage state={state} success="page" />{ok(state)}</div>
    </form>
  );
}

export function RotationSecretForm({ tenantId, defaultExpiry }: { tenantId: string; defaultExpiry: string }) {
  const { state, formAction, pending, fields: f, values: v } = useFormAction(saveRotationSecretAction);
  return (
    <form action={formAction} className="space-y-3" noValidate aria-label="New client secret">
      <input type="hidden" name="tenantId" value={tenantId} />
      <Field name="secret" label="New client secret value" type="password" autoComplete="off" spellCheck={false} required error={f?.secret} hint="The Value the script printed (not its ID)." />
      <Field name="keyId" label="New secret's ID (optional)" spellCheck={false} defaultValue={v?.keyId ?? ""} error={f?.keyId} hint="Printed as “Client secret ID”; lets a later rotation remove this secret by its ID." />
      <Field name="expires" label="Expires" type="date" required defaultValue={v?.expires ?? defaultExpiry} error={f?.expires} />
      <Button type="submit" variant="secondary" disabled={pending}>{pending ? "Saving…" : "Save the new secret"}</Button>
      <FormMessage state={state} success="page" />
      {ok(state)}
    </form>
  );
}
