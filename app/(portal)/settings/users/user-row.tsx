"use client";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { idle } from "@/lib/action-state";
import { updateUserAction } from "./actions";
import { OkMessage } from "./ok-message";

interface Row {
  id: string;
  email: string;
  name: string | null;
  role: string;
  disabled: boolean;
  lastSignInAt: string | null;
  via: string;
}

/** A cell's column name, shown only where the row is stacked as a card (the table's header is hidden there). */
function Label({ children }: { children: string }) {
  return <span className="mr-1 text-xs uppercase text-slate-500 md:hidden">{children}:</span>;
}

export function UserRow({ user }: { user: Row }) {
  const [state, formAction, pending] = useActionState(updateUserAction, idle);
  const selectId = `role-${user.id}`;
  return (
    <tr className="border-t border-slate-200 align-top dark:border-slate-800 max-md:block max-md:py-3">
      <td className="py-2 pr-4 max-md:block max-md:py-1">
        <div className="break-words font-medium">{user.name ?? "—"}</div>
        <div className="break-all text-xs text-slate-500">{user.email}</div>
      </td>
      <td className="py-2 pr-4 text-sm max-md:block max-md:py-1">
        <Label>Signs in with</Label>
        {user.via}
      </td>
      <td className="py-2 pr-4 text-sm max-md:block max-md:py-1">
        <Label>Last sign-in</Label>
        {user.lastSignInAt ? new Date(user.lastSignInAt).toLocaleString() : "never"}
      </td>
      <td className="py-2 pr-4 max-md:block max-md:py-1">
        {/* Keyed by the saved role: the reset after the action then shows the new role, not the old default. */}
        <form key={user.role} action={formAction} className="flex items-center gap-2">
          <input type="hidden" name="userId" value={user.id} />
          <label htmlFor={selectId} className="sr-only">
            Role of {user.email}
          </label>
          <select id={selectId} name="role" defaultValue={user.role} className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900">
            <option value="admin">admin</option>
            <option value="sender">sender</option>
            <option value="auditor">auditor</option>
          </select>
          <Button type="submit" variant="secondary" disabled={pending}>
            Save
          </Button>
        </form>
        <FormMessage state={state} success="page" />
        <OkMessage state={state} />
      </td>
      <td className="py-2 max-md:block max-md:py-1">
        <form action={formAction}>
          <input type="hidden" name="userId" value={user.id} />
          <input type="hidden" name="disabled" value={user.disabled ? "false" : "true"} />
          <Button type="submit" variant={user.disabled ? "secondary" : "ghost"} disabled={pending} aria-label={`${user.disabled ? "Enable" : "Disable"} ${user.email}`}>
            {user.disabled ? "Enable" : "Disable"}
          </Button>
        </form>
      </td>
    </tr>
  );
}
