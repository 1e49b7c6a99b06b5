"use client";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { useFormAction } from "@/components/ui/use-form-action";
import { removeMailboxAction } from "./actions";

interface Props {
  tenantId: string;
  mailboxId: string;
  address: string;
  grantCount: number;
}

/** Behind a disclosure: removing a mailbox also removes every grant to it. */
export function RemoveMailboxForm({ tenantId, mailboxId, address, grantCount }: Props) {
  const { state, formAction, pending } = useFormAction(removeMailboxAction);
  return (
    <details className="mt-2 text-xs">
      <summary className="cursor-pointer text-slate-500 hover:text-slate-800 dark:hover:text-slate-200">Remove mailbox…</summary>
      <form action={formAction} className="mt-2 space-y-2">
        <input type="hidden" name="tenantId" value={tenantId} />
        <input type="hidden" name="mailboxId" value={mailboxId} />
        <p className="max-w-56">
          {grantCount > 0 ? `Its ${grantCount} ${grantCount === 1 ? "grant is" : "grants are"} removed too. ` : ""}
          Exchange&apos;s restriction is not changed (Setup → Restrict senders).
        </p>
        <Button type="submit" variant="danger" className="!px-2 !py-1 text-xs" disabled={pending} aria-label={`Remove mailbox ${address}`}>
          {pending ? "Removing…" : "Remove mailbox"}
        </Button>
        <FormMessage state={state} />
      </form>
    </details>
  );
}
