"use client";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { idle } from "@/lib/action-state";
import { generateCertificateAction, saveSecretAction } from "./actions";
import { useFormAction } from "@/components/ui/use-form-action";

export function SecretForm({ tenantId, defaultExpiry, primary = false }: { tenantId: string; defaultExpiry: string; primary?: boolean }) {
  const { state, formAction, pending, fields: f, values: v } = useFormAction(saveSecretAction);
  return (
    <form action={formAction} className="space-y-3" noValidate>
      <input type="hidden" name="tenantId" value={tenantId} />
      <FormMessage state={state} />
      {state.status === "ok" ? <p role="status" className="text-sm text-emerald-700 dark:text-emerald-300">{state.message}</p> : null}
      {/* A password field: the secret is typed once, sent once, and never echoed back. */}
      <Field name="secret" label="Client secret value" type="password" autoComplete="off" spellCheck={false} required error={f?.secret}
        hint="Certificates & secrets → the secret's Value (not its Secret ID)." />
      <Field name="expires" label="Expires" type="date" required defaultValue={v?.expires ?? defaultExpiry} error={f?.expires} hint="As shown in Entra ID; the dashboard warns 30 days before." />
      <Button type="submit" variant={primary ? "primary" : "secondary"} disabled={pending}>{pending ? "Checking the secret…" : "Save the secret"}</Button>
    </form>
  );
}

export function CertificateForm({ tenantId, hasCertificate }: { tenantId: string; hasCertificate: boolean }) {
  const [state, formAction, pending] = useActionState(generateCertificateAction, idle);
  const f = state.status === "error" ? state.fields : undefined;
  return (
    <form action={formAction} className="flex flex-wrap items-end gap-3" noValidate>
      <input type="hidden" name="tenantId" value={tenantId} />
      <FormMessage state={state} />
      <div className="space-y-1">
        <label htmlFor="field-years" className="block text-sm font-medium">Valid for</label>
        <select id="field-years" name="years" defaultValue="1" aria-invalid={f?.years ? true : undefined}
          className="block rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-900">
          <option value="1">1 year</option>
          <option value="2">2 years</option>
        </select>
      </div>
      {/* Once there is a certificate the next action is uploading it or continuing: a new one is the quiet choice. */}
      <Button type="submit" variant={hasCertificate ? "secondary" : "primary"} disabled={pending}>{pending ? "Generating…" : hasCertificate ? "Generate a new certificate" : "Generate a certificate"}</Button>
    </form>
  );
}
