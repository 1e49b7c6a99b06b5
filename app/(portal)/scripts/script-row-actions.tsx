"use client";
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { useFormAction } from "@/components/ui/use-form-action";
import { deleteScriptAction, reconvertScriptAction } from "./actions";

/** "Convert again" for one script (after a converter update, or to pick up a new module path). */
export function ReconvertButton({ scriptId, name }: { scriptId: string; name: string }) {
  const { state, formAction, pending } = useFormAction(reconvertScriptAction);
  return (
    <form action={formAction} className="inline">
      <input type="hidden" name="scriptId" value={scriptId} />
      <Button type="submit" variant="ghost" className="!px-2 !py-0.5 text-xs" disabled={pending} aria-label={`Convert again: ${name}`}>
        {pending ? "Converting…" : "Convert again"}
      </Button>
      <FormMessage state={state} />
    </form>
  );
}

/** Removes one script from the inventory; from its own page, goes back to the list. */
export function DeleteScriptButton({ scriptId, name, back }: { scriptId: string; name: string; back?: boolean }) {
  const router = useRouter();
  const { state, formAction, pending } = useFormAction(deleteScriptAction);
  useEffect(() => {
    if (back && state.status === "ok") router.push("/scripts");
  }, [back, state, router]);
  return (
    <form
      action={formAction}
      className="inline"
      onSubmit={(e) => {
        if (!window.confirm(`Delete ${name} from the inventory?`)) e.preventDefault();
      }}
    >
      <input type="hidden" name="scriptId" value={scriptId} />
      <Button type="submit" variant="ghost" className="!px-2 !py-0.5 text-xs text-red-700" disabled={pending} aria-label={`Delete ${name}`}>
        {pending ? "Deleting…" : "Delete"}
      </Button>
      <FormMessage state={state} />
    </form>
  );
}
