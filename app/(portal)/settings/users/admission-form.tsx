"use client";
import { Button } from "@/components/ui/button";
import { FieldFrame } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { SelectField } from "@/components/ui/select-field";
import { useFormAction } from "@/components/ui/use-form-action";
import { ADMISSION_HINTS, ADMISSION_LABELS, ADMISSION_MODES, AUTOMATIC_ROLES } from "@/lib/admission/schemas";
import { updateAdmissionAction } from "./actions";
import { OkMessage } from "./ok-message";

interface Props {
  tenant: { id: string; name: string; admission: string; admissionRole: string };
}

/** How a tenant's people get in on their first Microsoft sign-in; saving is audited. */
export function AdmissionForm({ tenant }: Props) {
  const { state, formAction, pending, fields: f, values: v } = useFormAction(updateAdmissionAction);
  return (
    // Keyed by the saved values: React resets a form after its action, and an uncontrolled select would
    // snap back to the defaults of the render before the save; a new form carries the new defaults.
    <form key={`${tenant.admission}:${tenant.admissionRole}`} action={formAction} className="space-y-3" aria-label={`Admission for ${tenant.name}`} noValidate>
      <input type="hidden" name="tenantId" value={tenant.id} />
      <FieldFrame
        id={`admission-${tenant.id}`}
        label="How people get in"
        error={f?.admission}
        hint={ADMISSION_MODES.map((m) => (
          <span key={m} className="block">
            <span className="font-medium">{ADMISSION_LABELS[m]}:</span> {ADMISSION_HINTS[m]}
          </span>
        ))}
      >
        {(aria) => (
          <select name="admission" defaultValue={v?.admission ?? tenant.admission} {...aria}>
            {ADMISSION_MODES.map((m) => (
              <option key={m} value={m}>
                {ADMISSION_LABELS[m]}
              </option>
            ))}
          </select>
        )}
      </FieldFrame>
      <SelectField
        id={`admission-role-${tenant.id}`}
        name="admissionRole"
        label="Role when admitted automatically"
        defaultValue={v?.admissionRole ?? tenant.admissionRole}
        error={f?.admissionRole}
        options={AUTOMATIC_ROLES.map((r) => ({ value: r, label: r }))}
      />
      <p className="text-xs text-slate-500 dark:text-slate-400">Also the role offered first when you approve a request. Admins are made by name, in the users table.</p>
      <Button type="submit" disabled={pending}>
        Save
      </Button>
      <FormMessage state={state} success="page" />
      <OkMessage state={state} />
    </form>
  );
}
