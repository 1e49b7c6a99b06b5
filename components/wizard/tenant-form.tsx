"use client";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { idle, type ActionState } from "@/lib/action-state";
import { Choice } from "./choice";

export interface TenantDefaults { tenantId?: string; name?: string; directoryId?: string; cloud?: string; usage?: string; largeAttachments?: boolean; bulkDirectory?: boolean; messageTrace?: boolean }

const CLOUDS = [
  { value: "global", label: "Global (worldwide)", hint: "login.microsoftonline.com · graph.microsoft.com" },
  { value: "usgov", label: "US Government (GCC High)", hint: "login.microsoftonline.us · graph.microsoft.us" },
  { value: "usgovdod", label: "US Government (DoD)", hint: "login.microsoftonline.us · dod-graph.microsoft.us" },
  { value: "china", label: "China (21Vianet)", hint: "login.chinacloudapi.cn · microsoftgraph.chinacloudapi.cn" },
  { value: "sandbox", label: "Sandbox (local stand-in)", hint: "the sandbox tenant running beside this portal" },
];

/** Step 1's form, for a new tenant and for editing one. */
export function TenantForm({ action, defaults, sandboxAvailable }: { action: (p: ActionState, d: FormData) => Promise<ActionState>; defaults: TenantDefaults; sandboxAvailable: boolean }) {
  const [state, formAction, pending] = useActionState(action, idle);
  const v = state.status === "error" ? state.values : undefined;
  const f = state.status === "error" ? state.fields : undefined;
  return (
    <form action={formAction} className="max-w-2xl space-y-5" noValidate>
      <FormMessage state={state} />
      {defaults.tenantId ? <input type="hidden" name="tenantId" value={defaults.tenantId} /> : null}
      <Field name="name" label="Display name" required maxLength={120} defaultValue={v?.name ?? defaults.name} error={f?.name} hint="How the portal names this tenant, e.g. Contoso." />
      <Field
        name="directoryId" label="Directory (tenant) ID or verified domain" required spellCheck={false} autoComplete="off"
        defaultValue={v?.directoryId ?? defaults.directoryId} error={f?.directoryId}
        hint="Entra ID → Overview → Tenant ID (a GUID), or a verified domain such as contoso.onmicrosoft.com."
      />
      <Choice
        name="cloud" legend="Cloud" error={f?.cloud} defaultValue={v?.cloud ?? defaults.cloud ?? "global"}
        hint="Each cloud has its own sign-in and Graph hosts."
        options={CLOUDS.filter((c) => c.value !== "sandbox" || sandboxAvailable)}
      />
      <Choice
        name="usage" legend="What will the portal be used for?" error={f?.usage} defaultValue={v?.usage ?? defaults.usage ?? "application"}
        hint="This decides the permissions the app asks for: nothing more."
        options={[
          { value: "application", label: "Application sending", hint: "Scripts, devices and shared mailboxes send through the portal (Mail.Send application permission, restricted to chosen mailboxes)." },
          { value: "delegated", label: "Delegated sending", hint: "People sign in with Microsoft and send as themselves (Mail.Send delegated permission)." },
          { value: "both", label: "Both" },
        ]}
      />
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" name="largeAttachments" defaultChecked={v ? v.largeAttachments === "on" : defaults.largeAttachments} className="mt-1" aria-describedby="largeAttachments-hint" />
        <span>
          Large attachments (3 MB to 150 MB)
          <span id="largeAttachments-hint" className="block text-xs text-slate-500 dark:text-slate-400">
            Adds Mail.ReadWrite (application): Graph only accepts large files through a draft and an upload session. Leave it off to ask for less.
          </span>
        </span>
      </label>
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" name="bulkDirectory" defaultChecked={v ? v.bulkDirectory === "on" : defaults.bulkDirectory} className="mt-1" aria-describedby="bulkDirectory-hint" />
        <span>
          Welcome new users (bulk runs from the directory)
          <span id="bulkDirectory-hint" className="block text-xs text-slate-500 dark:text-slate-400">
            Adds User.Read.All (application): a bulk run lists the users created since a date to welcome them. Without it, bulk runs take their recipients from a CSV.
          </span>
        </span>
      </label>
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" name="messageTrace" defaultChecked={v ? v.messageTrace === "on" : defaults.messageTrace} className="mt-1" aria-describedby="messageTrace-hint" />
        <span>
          Delivery status (optional)
          <span id="messageTrace-hint" className="block text-xs text-slate-500 dark:text-slate-400">
            Adds ExchangeMessageTrace.Read.All (application): Microsoft&apos;s 202 only means &quot;accepted&quot;; with message trace History shows per recipient whether the mail was delivered, failed, quarantined or filtered as spam, and uncertain sends are checked before anyone sends them again. It reads the trace of all the tenant&apos;s mail, so leave it off if that is too much.
          </span>
        </span>
      </label>
      <Button type="submit" disabled={pending}>{pending ? "Saving…" : "Save and continue"}</Button>
    </form>
  );
}
