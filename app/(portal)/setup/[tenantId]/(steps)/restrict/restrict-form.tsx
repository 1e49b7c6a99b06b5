"use client";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { saveRestrictionAction } from "./actions";
import { useFormAction } from "@/components/ui/use-form-action";

export interface RestrictDefaults { method: "rbac" | "policy"; mailboxes: string; groupAddress: string; createGroup: boolean; outsideMailbox: string }

export function RestrictForm({ tenantId, defaults }: { tenantId: string; defaults: RestrictDefaults }) {
  const { state, formAction, pending, fields: f, values: v } = useFormAction(saveRestrictionAction);
  return (
    <form action={formAction} className="max-w-2xl space-y-4" noValidate>
      <input type="hidden" name="tenantId" value={tenantId} />
      <FormMessage state={state} />
      <fieldset className="space-y-1">
        <legend className="text-sm font-medium">How to restrict the app</legend>
        <label className="flex items-start gap-2 text-sm">
          <input type="radio" name="method" value="rbac" defaultChecked={(v?.method ?? defaults.method) === "rbac"} className="mt-1" />
          <span>RBAC for Applications (recommended): an Exchange scope of exactly these mailboxes, then the tenant-wide grant is removed</span>
        </label>
        <label className="flex items-start gap-2 text-sm">
          <input type="radio" name="method" value="policy" defaultChecked={(v?.method ?? defaults.method) === "policy"} className="mt-1" />
          <span>Application access policy (older guides): a group holding the mailboxes scopes the app</span>
        </label>
      </fieldset>
      <div className="space-y-1">
        <label htmlFor="field-mailboxes" className="block text-sm font-medium">Mailboxes the app may send as</label>
        <textarea
          id="field-mailboxes" name="mailboxes" rows={4} required spellCheck={false} defaultValue={v?.mailboxes ?? defaults.mailboxes}
          aria-invalid={f?.mailboxes ? true : undefined} aria-describedby={`field-mailboxes-hint${f?.mailboxes ? " field-mailboxes-error" : ""}`}
          className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm aria-invalid:border-red-500 dark:border-slate-700 dark:bg-slate-900"
        />
        <p id="field-mailboxes-hint" className="text-xs text-slate-500 dark:text-slate-400">One address per line: user or shared mailboxes. Shared mailboxes are fine here (for an access policy they join the group below).</p>
        {f?.mailboxes ? <p id="field-mailboxes-error" role="alert" className="text-sm text-red-600 dark:text-red-400">{f.mailboxes}</p> : null}
      </div>
      <Field name="groupAddress" label="Mail-enabled security group" spellCheck={false} defaultValue={v?.groupAddress ?? defaults.groupAddress} error={f?.groupAddress}
        hint="Access policy only (RBAC needs no group): the policy's scope (PolicyScopeGroupId). It must be a mail-enabled SECURITY group: a shared mailbox, a distribution group or a Microsoft 365 group is refused — put those mailboxes in such a group instead." />
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" name="createGroup" defaultChecked={v ? v.createGroup === "on" : defaults.createGroup} className="mt-1" />
        <span>Create this group in the script (New-DistributionGroup -Type Security)</span>
      </label>
      <Field name="outsideMailbox" label="A mailbox outside the restriction (for the proof)" spellCheck={false} defaultValue={v?.outsideMailbox ?? defaults.outsideMailbox} error={f?.outsideMailbox}
        hint="A real mailbox the app must NOT send as: the Prove step expects Graph to refuse it with 403." />
      <Button type="submit" disabled={pending}>{pending ? "Saving…" : "Save and generate the scripts"}</Button>
    </form>
  );
}
