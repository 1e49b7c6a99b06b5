"use client";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { idle } from "@/lib/action-state";
import { updateRetentionAction } from "./actions";

interface Props {
  tenant: { id: string; name: string; retentionDays: number; metadataOnly: boolean };
}

/** One tenant's retention settings; the field keeps what was typed when it is refused. */
export function RetentionForm({ tenant }: Props) {
  const [state, formAction, pending] = useActionState(updateRetentionAction, idle);
  const values = state.status === "error" ? state.values : undefined;
  const fields = state.status === "error" ? state.fields : undefined;
  const checkId = `metadata-only-${tenant.id}`;
  return (
    <form action={formAction} className="space-y-3" aria-label={`Retention for ${tenant.name}`}>
      <input type="hidden" name="tenantId" value={tenant.id} />
      <Field
        id={`retention-days-${tenant.id}`}
        name="retentionDays"
        label="Keep sends for (days)"
        type="number"
        inputMode="numeric"
        min={1}
        max={3650}
        required
        defaultValue={values?.retentionDays ?? String(tenant.retentionDays)}
        error={fields?.retentionDays}
        hint="1 to 3650. Older sends that are no longer in the outbox are deleted, with their attempts, by the hourly purge."
      />
      <div className="flex items-start gap-2">
        <input id={checkId} name="metadataOnly" type="checkbox" defaultChecked={values ? values.metadataOnly === "on" : tenant.metadataOnly} className="mt-1" aria-describedby={`${checkId}-hint`} />
        <div>
          <label htmlFor={checkId} className="text-sm font-medium">Metadata only</label>
          <p id={`${checkId}-hint`} className="text-xs text-slate-500 dark:text-slate-400">
            Keep who, when, status and attempts, but not message bodies or attachment contents (cleared once a send is finished).
          </p>
        </div>
      </div>
      <Button type="submit" disabled={pending}>Save</Button>
      <FormMessage state={state} />
    </form>
  );
}
