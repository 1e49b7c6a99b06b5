"use client";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { useFormAction } from "@/components/ui/use-form-action";
import { deleteGroupAction } from "./actions";

/** Behind a disclosure: deleting a group also takes away every mailbox granted to it. */
export function DeleteGroupForm({ groupId, name }: { groupId: string; name: string }) {
  const { state, formAction, pending } = useFormAction(deleteGroupAction);
  return (
    <details className="text-xs">
      <summary className="cursor-pointer text-slate-500 hover:text-slate-800 dark:hover:text-slate-200">Delete…</summary>
      <form action={formAction} className="mt-2 space-y-2">
        <input type="hidden" name="groupId" value={groupId} />
        <p className="max-w-56">Its members lose the mailboxes granted to the group.</p>
        <Button type="submit" variant="danger" className="!px-2 !py-1 text-xs" disabled={pending} aria-label={`Delete group ${name}`}>
          {pending ? "Deleting…" : "Delete group"}
        </Button>
        <FormMessage state={state} />
      </form>
    </details>
  );
}
