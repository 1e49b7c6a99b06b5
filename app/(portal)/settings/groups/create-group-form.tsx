"use client";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { useFormAction } from "@/components/ui/use-form-action";
import { createGroupAction } from "./actions";

/** The page's primary action; a refused name stays in the field with the reason beside it. */
export function CreateGroupForm() {
  const { state, formAction, pending, fields, values } = useFormAction(createGroupAction);
  return (
    <form action={formAction} className="grid max-w-3xl gap-3 sm:grid-cols-[1fr_1fr_auto] sm:items-start" aria-label="New group" noValidate>
      <Field name="name" label="Group name" required maxLength={80} placeholder="HR team" defaultValue={values?.name} error={fields?.name} />
      <Field name="description" label="Description (optional)" maxLength={200} defaultValue={values?.description} error={fields?.description} />
      <div className="sm:pt-6">
        <Button type="submit" disabled={pending}>
          {pending ? "Creating…" : "Create group"}
        </Button>
      </div>
      <div className="sm:col-span-3">
        <FormMessage state={fields ? { status: "idle" } : state} />
      </div>
    </form>
  );
}
