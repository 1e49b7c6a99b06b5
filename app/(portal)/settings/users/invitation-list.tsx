"use client";
import { Button } from "@/components/ui/button";
import { Badge } from "@/components/ui/card";
import { FormMessage } from "@/components/ui/form-message";
import { useFormAction } from "@/components/ui/use-form-action";
import { revokeInvitationAction } from "./actions";
import { OkMessage } from "./ok-message";

export interface InvitationRow {
  id: string;
  email: string;
  role: string;
  status: "open" | "accepted" | "expired";
  /** Preformatted on the server (UTC), so the browser renders the same text. */
  when: string;
}

const TONE = { open: "warn", accepted: "good", expired: "neutral" } as const;

/** A tenant's invitations (revoked ones left out); one action state, so "revoked" stays after the row goes. */
export function InvitationList({ tenantName, invitations }: { tenantName: string; invitations: InvitationRow[] }) {
  const { state, formAction, pending } = useFormAction(revokeInvitationAction);
  return (
    <div className="space-y-2">
      {invitations.length === 0 ? (
        <p className="text-sm text-slate-500">No invitations yet.</p>
      ) : (
        <ul aria-label={`Invitations to ${tenantName}`}>
          {invitations.map((i) => (
            <li key={i.id} className="flex flex-wrap items-center justify-between gap-2 border-t border-slate-200 py-2 first:border-t-0 dark:border-slate-800">
              <div className="min-w-0 text-sm">
                <div className="truncate font-medium">{i.email}</div>
                <div className="text-xs text-slate-500">
                  {i.role} · <Badge tone={TONE[i.status]}>{i.status}</Badge> · {i.when}
                </div>
              </div>
              {i.status === "accepted" ? null : (
                <form action={formAction}>
                  <input type="hidden" name="invitationId" value={i.id} />
                  <Button type="submit" variant="ghost" disabled={pending}>
                    Revoke<span className="sr-only"> the invitation of {i.email}</span>
                  </Button>
                </form>
              )}
            </li>
          ))}
        </ul>
      )}
      <FormMessage state={state} success="page" />
      <OkMessage state={state} />
    </div>
  );
}
