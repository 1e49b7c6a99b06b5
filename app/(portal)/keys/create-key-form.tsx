"use client";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Field, FieldFrame } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { SelectField } from "@/components/ui/select-field";
import { useFormAction } from "@/components/ui/use-form-action";
import { createKeyAction } from "./actions";
import { SecretOnce } from "./secret-once";

interface TenantChoice {
  id: string;
  name: string;
  mailboxes: { id: string; address: string }[];
}

/** The page's primary action: a key for one tenant, the mailboxes it may send as, and its rules. */
export function CreateKeyForm({ tenants }: { tenants: TenantChoice[] }) {
  const { state, formAction, pending, fields, values } = useFormAction(createKeyAction);
  const [tenantId, setTenantId] = useState(values?.tenantId ?? tenants[0]?.id ?? "");
  const tenant = tenants.find((t) => t.id === tenantId);
  const created = state.status === "ok" ? (state.data as { secret: string; name: string } | undefined) : undefined;
  if (tenants.length === 0) return <p className="text-sm">Connect a tenant on the Setup page first.</p>;
  return (
    <div className="space-y-4">
      {created ? <SecretOnce key={created.secret} name={created.name} secret={created.secret} /> : null}
      <form action={formAction} className="grid max-w-3xl gap-3 sm:grid-cols-2" aria-label="New API key" noValidate>
        <Field name="name" label="Key name" required maxLength={100} placeholder="nightly-welcome-script" defaultValue={values?.name} error={fields?.name} />
        <SelectField name="tenantId" label="Tenant" options={tenants.map((t) => ({ value: t.id, label: t.name }))} value={tenantId} onChange={(e) => setTenantId(e.target.value)} error={fields?.tenantId} />
        <FieldFrame id="field-mailboxIds" label="May send as" error={fields?.mailboxIds} className="sm:col-span-2" hint="The key's grants: it sends only as these sender mailboxes.">
          {(aria) => (
            <fieldset id={aria.id} aria-invalid={aria["aria-invalid"]} aria-describedby={aria["aria-describedby"]} className="flex flex-wrap gap-3 rounded-md border border-slate-300 p-2 dark:border-slate-700">
              <legend className="sr-only">Mailboxes the key may send as</legend>
              {tenant?.mailboxes.length ? (
                tenant.mailboxes.map((m) => (
                  <label key={m.id} className="flex items-center gap-1 text-sm">
                    <input type="checkbox" name="mailboxIds" value={m.id} defaultChecked={values?.mailboxIds?.split(", ").includes(m.id)} />
                    {m.address}
                  </label>
                ))
              ) : (
                <span className="text-sm text-slate-500">This tenant has no sender mailbox yet: add one on the Senders page.</span>
              )}
            </fieldset>
          )}
        </FieldFrame>
        <Field name="allowedDomains" label="Allowed recipient domains (optional)" placeholder="contoso.com, fabrikam.com" hint="Empty: any domain." defaultValue={values?.allowedDomains} error={fields?.allowedDomains} />
        <Field name="maxMessageMb" label="Largest message, MB (optional)" type="number" min={1} max={150} defaultValue={values?.maxMessageMb} error={fields?.maxMessageMb} />
        <Field name="ratePerMinute" label="Messages per minute" type="number" min={1} max={600} defaultValue={values?.ratePerMinute ?? "30"} error={fields?.ratePerMinute} />
        <Field name="expiresAt" label="Expires on (optional)" type="date" defaultValue={values?.expiresAt} error={fields?.expiresAt} />
        <div className="sm:col-span-2">
          <Button type="submit" disabled={pending}>
            {pending ? "Creating…" : "Create key"}
          </Button>
        </div>
        <div className="sm:col-span-2">
          <FormMessage state={fields ? { status: "idle" } : state} />
        </div>
      </form>
    </div>
  );
}
