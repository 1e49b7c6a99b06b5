import { Badge } from "@/components/ui/card";
import { CLOUDS } from "@/lib/tenants/clouds";
import type { WizardTenant } from "@/lib/tenants/wizard/load-wizard-tenant";

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : "—");

/** The summary card's facts: cloud, app id, credential and expiry, consent, restriction, last verification. */
export function TenantSummary({ t }: { t: Pick<WizardTenant, "cloud" | "clientId" | "credentialKind" | "credentialExpires" | "consentState" | "lastVerifiedAt" | "data" | "useApplication"> }) {
  const r = t.data.restriction;
  const restriction = !t.useApplication ? "not needed (delegated only)" : !r ? "none: the app can send as every mailbox" : r.status === "proved" ? `proved (${r.mailboxes.length} mailbox${r.mailboxes.length === 1 ? "" : "es"})` : r.status === "not-enforced" ? "not enforced yet" : "scripted, not proved";
  return (
    <dl className="grid grid-cols-[10rem_1fr] gap-y-1 text-sm" data-testid="tenant-summary">
      <dt className="text-slate-500">Cloud</dt>
      <dd>{CLOUDS[t.cloud].label}</dd>
      <dt className="text-slate-500">App (client) id</dt>
      <dd className="break-all font-mono text-xs">{t.clientId ?? "not registered"}</dd>
      <dt className="text-slate-500">Credential</dt>
      <dd>{t.credentialKind === "none" ? "none" : `${t.credentialKind}, expires ${day(t.credentialExpires)}`}</dd>
      <dt className="text-slate-500">Consent</dt>
      <dd><Badge tone={t.consentState === "granted" ? "good" : "warn"}>{t.consentState}</Badge></dd>
      <dt className="text-slate-500">Restriction</dt>
      <dd>{restriction}</dd>
      <dt className="text-slate-500">Last verified</dt>
      <dd>{t.lastVerifiedAt ? `${t.lastVerifiedAt.toISOString().replace("T", " ").slice(0, 16)} UTC` : "never"}</dd>
    </dl>
  );
}
