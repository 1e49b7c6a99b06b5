"use client";
import { useState } from "react";
import type { ActionState } from "@/lib/action-state";
import { FROM_POLICIES, FROM_POLICY_LABELS } from "@/lib/schemas/device";
import { Button } from "@/components/ui/button";
import { Field, FieldFrame } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { SelectField } from "@/components/ui/select-field";

export interface TenantChoice {
  id: string;
  name: string;
  mailboxes: { id: string; address: string }[];
}

/** What the edit form starts from (the device as saved). */
export interface DeviceDefaults {
  deviceId: string;
  tenantId: string;
  name: string;
  mailboxIds: string[];
  defaultMailboxId: string;
  fromPolicy: string;
  allowedIps: string;
  ipOnly: boolean;
  allowPlaintext: boolean;
  maxMessageMb: string;
  ratePerMinute: string;
  saveToSent: boolean;
}

interface Props {
  tenants: TenantChoice[];
  /** Set for "Edit device": the tenant is fixed, the fields start from the device. */
  device?: DeviceDefaults;
  formAction: (data: FormData) => void;
  pending: boolean;
  state: ActionState<unknown>;
  fields?: Record<string, string>;
  /** What the admin typed, given back by a refused submit (lib/action.ts), so nothing is lost. */
  values?: Record<string, string>;
  submitLabel: string;
}

function Check({ name, label, defaultChecked, hint }: { name: string; label: string; defaultChecked: boolean; hint?: string }) {
  return (
    <div className="space-y-1">
      <label className="flex items-center gap-2 text-sm font-medium">
        <input type="checkbox" name={name} defaultChecked={defaultChecked} aria-describedby={hint ? `field-${name}-hint` : undefined} />
        {label}
      </label>
      {hint ? (
        <p id={`field-${name}-hint`} className="text-xs text-slate-500 dark:text-slate-400">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/**
 * The device's settings (add and edit share it): name, tenant, the mailboxes it may send as, the default
 * mailbox and what to do with a From that is not granted, allowed source addresses, IP-only, plain-text
 * AUTH (a warning), size and rate limits, Sent Items.
 */
export function DeviceForm({ tenants, device, formAction, pending, state, fields, values, submitLabel }: Props) {
  const [tenantId, setTenantId] = useState(values?.tenantId ?? device?.tenantId ?? tenants[0]?.id ?? "");
  const [plaintext, setPlaintext] = useState(values ? values.allowPlaintext === "on" : (device?.allowPlaintext ?? false));
  const tenant = tenants.find((t) => t.id === tenantId);
  const checkedIds = values ? (values.mailboxIds ?? "").split(", ") : (device?.mailboxIds ?? []);
  const bool = (name: "ipOnly" | "allowPlaintext" | "saveToSent", fallback: boolean) => (values ? values[name] === "on" : fallback);
  const text = (name: keyof DeviceDefaults & keyof Record<string, string>, fallback = "") => values?.[name] ?? (device ? String(device[name]) : fallback);
  const formKey = values ? JSON.stringify(values) : "initial";
  return (
    <form key={formKey} action={formAction} className="grid max-w-3xl gap-3 sm:grid-cols-2" aria-label={device ? "Edit device" : "New device"} noValidate>
      {device ? <input type="hidden" name="deviceId" value={device.deviceId} /> : null}
      <Field name="name" label="Device name" required maxLength={100} placeholder="2nd floor scanner" defaultValue={text("name")} error={fields?.name} />
      {device ? (
        <p className="text-sm">
          <span className="block font-medium">Tenant</span>
          {tenant?.name ?? "—"}
        </p>
      ) : (
        <SelectField name="tenantId" label="Tenant" options={tenants.map((t) => ({ value: t.id, label: t.name }))} value={tenantId} onChange={(e) => setTenantId(e.target.value)} error={fields?.tenantId} />
      )}
      <FieldFrame id="field-mailboxIds" label="May send as" error={fields?.mailboxIds} className="sm:col-span-2" hint="The device's grants: its From must be one of these sender mailboxes.">
        {(aria) => (
          <fieldset id={aria.id} aria-invalid={aria["aria-invalid"]} aria-describedby={aria["aria-describedby"]} className="flex flex-wrap gap-3 rounded-md border border-slate-300 p-2 dark:border-slate-700">
            <legend className="sr-only">Mailboxes the device may send as</legend>
            {tenant?.mailboxes.length ? (
              tenant.mailboxes.map((m) => (
                <label key={m.id} className="flex items-center gap-1 text-sm">
                  <input type="checkbox" name="mailboxIds" value={m.id} defaultChecked={checkedIds.includes(m.id)} />
                  {m.address}
                </label>
              ))
            ) : (
              <span className="text-sm text-slate-500">This tenant has no sender mailbox yet: add one on the Senders page.</span>
            )}
          </fieldset>
        )}
      </FieldFrame>
      <SelectField
        name="defaultMailboxId"
        label="Default mailbox"
        defaultValue={text("defaultMailboxId")}
        error={fields?.defaultMailboxId}
        options={[{ value: "", label: "None" }, ...(tenant?.mailboxes ?? []).map((m) => ({ value: m.id, label: m.address }))]}
      />
      <SelectField
        name="fromPolicy"
        label="When the device's From is not granted"
        defaultValue={text("fromPolicy", "reject")}
        error={fields?.fromPolicy}
        options={FROM_POLICIES.map((p) => ({ value: p, label: FROM_POLICY_LABELS[p] }))}
      />
      <FieldFrame
        id="field-allowedIps"
        label="Allowed source addresses (optional)"
        error={fields?.allowedIps}
        className="sm:col-span-2"
        hint="IP addresses or CIDR ranges, separated by commas or lines, e.g. 10.0.20.0/24. Empty: any address (with the password)."
      >
        {(aria) => <textarea name="allowedIps" rows={2} {...aria} defaultValue={text("allowedIps")} />}
      </FieldFrame>
      <Check name="ipOnly" label="IP-only (no password: recognised by its address)" defaultChecked={bool("ipOnly", device?.ipOnly ?? false)} hint="Needs the allowed addresses above." />
      <div>
        <label className="flex items-center gap-2 text-sm font-medium">
          <input type="checkbox" name="allowPlaintext" defaultChecked={plaintext} onChange={(e) => setPlaintext(e.target.checked)} aria-describedby="field-allowPlaintext-hint" />
          Allow plain-text AUTH (no TLS)
        </label>
        <p id="field-allowPlaintext-hint" className={`text-xs ${plaintext ? "font-medium text-amber-700 dark:text-amber-300" : "text-slate-500 dark:text-slate-400"}`} role={plaintext ? "note" : undefined}>
          {plaintext
            ? "Warning: the password crosses the network unencrypted. Only for an old device on a trusted network, and only from the addresses above."
            : "Only for old devices that cannot do STARTTLS; only from the addresses above."}
        </p>
      </div>
      <Field name="maxMessageMb" label="Largest message, MB (optional)" type="number" min={1} max={150} defaultValue={text("maxMessageMb")} error={fields?.maxMessageMb} />
      <Field name="ratePerMinute" label="Messages per minute" type="number" min={1} max={600} defaultValue={text("ratePerMinute", "30")} error={fields?.ratePerMinute} />
      <Check name="saveToSent" label="Keep a copy in the mailbox's Sent Items" defaultChecked={bool("saveToSent", device?.saveToSent ?? true)} />
      <div className="sm:col-span-2">
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : submitLabel}
        </Button>
      </div>
      <div className="sm:col-span-2">
        <FormMessage state={fields ? { status: "idle" } : state} />
      </div>
    </form>
  );
}
