"use client";
import { useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { saveRestrictionAction } from "./actions";
import { useFormAction } from "@/components/ui/use-form-action";

export interface RestrictDefaults { method: "rbac" | "policy"; mailboxes: string; groupAddress: string; createGroup: boolean; outsideMailbox: string }
export interface Choices { mailboxes: { address: string; displayName: string }[]; groups: { address: string; displayName: string }[]; unavailable: string | null }

const split = (v: string) => v.split(/[\s,;]+/).map((x) => x.trim().toLowerCase()).filter(Boolean);

/**
 * Pickers where Graph can list the choices (the tenant's mailboxes, its mail-enabled security groups):
 * ticking a mailbox writes it into the list, which stays editable; the outside mailbox and the group are
 * text fields with the listed choices offered (a native datalist combobox). Without a list the fields are
 * typed, and the page says why.
 */
export function RestrictForm({ tenantId, defaults, choices }: { tenantId: string; defaults: RestrictDefaults; choices: Choices }) {
  const { state, formAction, pending, fields: f, values: v } = useFormAction(saveRestrictionAction);
  const [list, setList] = useState(v?.mailboxes ?? defaults.mailboxes);
  const [method, setMethod] = useState(v?.method ?? defaults.method);
  // A person (or a slow network) can pick the access policy or type mailboxes before the page has
  // hydrated: the browser changes the inputs, but no onChange runs. Read what the form holds once React
  // owns it, so the group field appears and the typed list is not put back to the default.
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    const el = form.current;
    const picked = el?.querySelector<HTMLInputElement>('input[name="method"]:checked')?.value;
    if (picked === "rbac" || picked === "policy") setMethod(picked);
    const typed = el?.querySelector<HTMLTextAreaElement>('textarea[name="mailboxes"]')?.value;
    if (typed !== undefined) setList(typed);
  }, []);
  const picked = new Set(split(list));
  const toggle = (address: string, on: boolean) => {
    const next = split(list).filter((a) => a !== address);
    setList((on ? [...next, address] : next).join("\n"));
  };
  return (
    <form ref={form} action={formAction} className="max-w-2xl space-y-4" noValidate>
      <input type="hidden" name="tenantId" value={tenantId} />
      <FormMessage state={state} />
      {/* Uncontrolled radios: React resets a form after its action runs, back to the defaults — which are the
          values just submitted — so what is checked and what the state shows never disagree. */}
      <fieldset className="space-y-1">
        <legend className="text-sm font-medium">How to restrict the app</legend>
        <label className="flex items-start gap-2 text-sm">
          <input type="radio" name="method" value="rbac" defaultChecked={(v?.method ?? defaults.method) === "rbac"} onChange={() => setMethod("rbac")} className="mt-1" />
          <span>RBAC for Applications (recommended): an Exchange scope of exactly these mailboxes, then the tenant-wide grant is removed</span>
        </label>
        <label className="flex items-start gap-2 text-sm">
          <input type="radio" name="method" value="policy" defaultChecked={(v?.method ?? defaults.method) === "policy"} onChange={() => setMethod("policy")} className="mt-1" />
          <span>Application access policy (older guides): a group holding the mailboxes scopes the app</span>
        </label>
      </fieldset>
      {choices.mailboxes.length ? (
        <fieldset className="space-y-1" data-testid="mailbox-picker">
          <legend className="text-sm font-medium">The tenant&apos;s mailboxes (from Microsoft Graph)</legend>
          <div className="max-h-48 space-y-1 overflow-auto rounded-md border border-slate-200 p-2 dark:border-slate-800">
            {choices.mailboxes.map((m) => (
              <label key={m.address} className="flex items-center gap-2 text-sm">
                <input type="checkbox" checked={picked.has(m.address)} onChange={(e) => toggle(m.address, e.currentTarget.checked)} />
                <span>{m.displayName || m.address} <span className="font-mono text-xs text-slate-500 dark:text-slate-400">{m.address}</span></span>
              </label>
            ))}
          </div>
        </fieldset>
      ) : null}
      {choices.unavailable ? <p className="text-xs text-slate-600 dark:text-slate-400" data-testid="picker-unavailable">{choices.unavailable}</p> : null}
      <div className="space-y-1">
        <label htmlFor="field-mailboxes" className="block text-sm font-medium">Mailboxes the app may send as</label>
        <textarea
          id="field-mailboxes" name="mailboxes" rows={3} required spellCheck={false} value={list} onChange={(e) => setList(e.currentTarget.value)}
          aria-invalid={f?.mailboxes ? true : undefined} aria-describedby={`field-mailboxes-hint${f?.mailboxes ? " field-mailboxes-error" : ""}`}
          className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm aria-invalid:border-red-500 dark:border-slate-700 dark:bg-slate-900"
        />
        <p id="field-mailboxes-hint" className="text-xs text-slate-500 dark:text-slate-400">One address per line: user or shared mailboxes. Shared mailboxes are fine here (for an access policy they join the group below).</p>
        {f?.mailboxes ? <p id="field-mailboxes-error" role="alert" className="text-sm text-red-600 dark:text-red-400">{f.mailboxes}</p> : null}
      </div>
      <datalist id="restrict-mailbox-options">
        {choices.mailboxes.filter((m) => !picked.has(m.address)).map((m) => <option key={m.address} value={m.address}>{m.displayName}</option>)}
      </datalist>
      <Field name="outsideMailbox" label="A mailbox outside the restriction (for the proof)" spellCheck={false} list="restrict-mailbox-options" autoComplete="off"
        defaultValue={v?.outsideMailbox ?? defaults.outsideMailbox} error={f?.outsideMailbox}
        hint="A real mailbox the app must NOT send as: the Prove step expects Graph to refuse it with 403." />
      {method === "policy" ? (
        <>
          <datalist id="restrict-group-options">
            {choices.groups.map((g) => <option key={g.address} value={g.address}>{g.displayName}</option>)}
          </datalist>
          <Field name="groupAddress" label="Mail-enabled security group" spellCheck={false} list="restrict-group-options" autoComplete="off" defaultValue={v?.groupAddress ?? defaults.groupAddress} error={f?.groupAddress}
            hint={`The access policy's scope (PolicyScopeGroupId). It must be a mail-enabled SECURITY group: a shared mailbox, a distribution group or a Microsoft 365 group is refused — put those mailboxes in such a group instead.${choices.groups.length ? ` ${choices.groups.length} such group${choices.groups.length === 1 ? "" : "s"} found in the tenant.` : ""}`} />
          <label className="flex items-start gap-2 text-sm">
            <input type="checkbox" name="createGroup" defaultChecked={v ? v.createGroup === "on" : defaults.createGroup} className="mt-1" />
            <span>Create this group in the script (recommended when none above fits: New-DistributionGroup -Type Security)</span>
          </label>
        </>
      ) : (
        <input type="hidden" name="createGroup" value={defaults.createGroup ? "on" : ""} />
      )}
      <Button type="submit" disabled={pending}>{pending ? "Saving…" : "Save and generate the scripts"}</Button>
    </form>
  );
}
