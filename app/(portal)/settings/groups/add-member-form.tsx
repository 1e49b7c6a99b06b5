"use client";
import { Button } from "@/components/ui/button";
import { SelectField } from "@/components/ui/select-field";
import { FormMessage } from "@/components/ui/form-message";
import { useFormAction } from "@/components/ui/use-form-action";
import { addMemberAction } from "./actions";

interface Props {
  groupId: string;
  groupName: string;
  candidates: { value: string; label: string }[];
}

export function AddMemberForm({ groupId, groupName, candidates }: Props) {
  const { state, formAction, pending, fields, values } = useFormAction(addMemberAction);
  if (candidates.length === 0) return <p className="text-xs text-slate-500">Everyone who may send is a member already.</p>;
  return (
    <form action={formAction} className="flex flex-wrap items-end gap-2" aria-label={`New member of ${groupName}`}>
      <input type="hidden" name="groupId" value={groupId} />
      <SelectField
        id={`member-${groupId}`}
        name="userId"
        label={`Add a member to ${groupName}`}
        required
        defaultValue={values?.userId ?? ""}
        error={fields?.userId}
        className="min-w-64 flex-1"
        options={[{ value: "", label: "Choose a person…" }, ...candidates]}
      />
      <Button type="submit" variant="secondary" disabled={pending}>
        {pending ? "Adding…" : "Add member"}
      </Button>
      <FormMessage state={fields ? { status: "idle" } : state} />
    </form>
  );
}
