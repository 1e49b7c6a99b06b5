"use client";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { useFormAction } from "@/components/ui/use-form-action";
import { removeMemberAction } from "./actions";

export function RemoveMemberButton({ groupId, userId, label }: { groupId: string; userId: string; label: string }) {
  const { state, formAction, pending } = useFormAction(removeMemberAction);
  return (
    <form action={formAction} className="inline">
      <input type="hidden" name="groupId" value={groupId} />
      <input type="hidden" name="userId" value={userId} />
      <Button type="submit" variant="ghost" className="!px-2 !py-0.5 text-xs" disabled={pending} aria-label={label}>
        {pending ? "Removing…" : "Remove"}
      </Button>
      <FormMessage state={state} />
    </form>
  );
}
