"use client";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { useFormAction } from "@/components/ui/use-form-action";
import { ROLES } from "@/lib/admission/schemas";
import { decideAccessRequestAction } from "./actions";
import { OkMessage } from "./ok-message";

export interface RequestRow {
  id: string;
  email: string;
  name: string | null;
  /** Preformatted on the server (UTC). */
  requested: string;
}

/**
 * Microsoft sign-ins waiting for a decision: Approve with the chosen role, or Decline. One action state
 * for the whole list, so its outcome stays on screen after the decided request leaves the list.
 */
export function RequestList({ requests, defaultRole, labelledBy }: { requests: RequestRow[]; defaultRole: string; labelledBy: string }) {
  const { state, formAction, pending } = useFormAction(decideAccessRequestAction);
  return (
    <div className="space-y-2">
      {requests.length > 0 ? (
        <ul aria-labelledby={labelledBy}>
          {requests.map((r) => (
            <li key={r.id} className="border-t border-slate-200 py-3 first:border-t-0 dark:border-slate-800">
              <form action={formAction} className="flex flex-wrap items-center justify-between gap-3">
                <div className="min-w-0 text-sm">
                  <div className="font-medium">{r.name ?? r.email}</div>
                  <div className="text-xs text-slate-500">
                    {r.email} · {r.requested}
                  </div>
                </div>
                <div className="flex flex-wrap items-center gap-2">
                  <input type="hidden" name="requestId" value={r.id} />
                  <label htmlFor={`request-role-${r.id}`} className="sr-only">
                    Role for {r.email}
                  </label>
                  <select
                    id={`request-role-${r.id}`}
                    name="role"
                    defaultValue={defaultRole}
                    className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900"
                  >
                    {ROLES.map((role) => (
                      <option key={role} value={role}>
                        {role}
                      </option>
                    ))}
                  </select>
                  <Button type="submit" name="decision" value="approve" disabled={pending}>
                    Approve
                  </Button>
                  <Button type="submit" name="decision" value="reject" variant="secondary" disabled={pending}>
                    Decline
                  </Button>
                </div>
              </form>
            </li>
          ))}
        </ul>
      ) : null}
      <FormMessage state={state} success="page" />
      <OkMessage state={state} />
    </div>
  );
}
