"use client";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { idle } from "@/lib/action-state";
import { planCredentialAction, saveClientIdAction } from "./actions";
import { useFormAction } from "@/components/ui/use-form-action";

export function ClientIdForm({ tenantId, clientId, primary = true }: { tenantId: string; clientId: string | null; primary?: boolean }) {
  const { state, formAction, pending, fields: f, values: v } = useFormAction(saveClientIdAction);
  return (
    <form action={formAction} className="flex max-w-2xl flex-wrap items-end gap-3" noValidate>
      <input type="hidden" name="tenantId" value={tenantId} />
      <div className="min-w-72 flex-1">
        <FormMessage state={state} />
        <Field name="clientId" label="Application (client) ID" required spellCheck={false} autoComplete="off" key={clientId ?? "none"}
          defaultValue={v?.clientId ?? clientId ?? ""} error={f?.clientId} hint="From the app registration's Overview page, or the script's output." />
      </div>
      <Button type="submit" variant={primary ? "primary" : "secondary"} disabled={pending}>{pending ? "Saving…" : "Save and continue"}</Button>
    </form>
  );
}

export function PlanCredentialForm({ tenantId, planned }: { tenantId: string; planned: "secret" | "certificate" }) {
  const [state, formAction, pending] = useActionState(planCredentialAction, idle);
  return (
    <form action={formAction} className="flex flex-wrap items-center gap-2 text-sm">
      <input type="hidden" name="tenantId" value={tenantId} />
      <FormMessage state={state} />
      <span>The scripts below plan for {planned === "certificate" ? "a certificate (recommended)" : "a client secret"}.</span>
      <Button type="submit" variant="secondary" className="!px-3 !py-1" name="credential" value={planned === "certificate" ? "secret" : "certificate"} disabled={pending}>
        {planned === "certificate" ? "Use a client secret instead" : "Use a certificate instead"}
      </Button>
    </form>
  );
}
