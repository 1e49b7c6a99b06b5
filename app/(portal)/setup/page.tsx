import type { Metadata } from "next";
import { buttonClass } from "@/components/ui/button";
import { Badge, Card, PageHeader } from "@/components/ui/card";
import Link from "next/link";
import { pageUser } from "@/lib/auth/page-user";
import { currentUser } from "@/lib/auth/session";
import { hasAdmin } from "@/lib/auth/setup-code";
import { CLOUDS } from "@/lib/tenants/clouds";
import { listTenants } from "@/lib/tenants/list-tenants";
import { CONSENT_REFUSALS } from "@/lib/tenants/wizard/record-consent";
import { wizardProgress } from "@/lib/tenants/wizard/wizard-progress";
import { ClaimForm } from "./claim-form";

export const metadata: Metadata = { title: "Setup" };

/** One state per tenant, from its wizard progress: what to do next, not a raw consent value. */
function TenantBadge({ step, consent }: { step: string | undefined; consent: string }) {
  if (step === "done") return <Badge tone="good">set up</Badge>;
  if (step === "prove") return <Badge tone="warn">needs proof</Badge>;
  if (step === "verify" && consent !== "refused" && consent !== "failed") return <Badge tone="warn">ready to verify</Badge>;
  if (consent === "refused" || consent === "failed") return <Badge tone="bad">consent {consent}</Badge>;
  return <Badge tone="warn">setup in progress</Badge>;
}

export default async function SetupPage({ searchParams }: { searchParams: Promise<{ consent?: string }> }) {
  if (!(await hasAdmin())) {
    return (
      <div className="rounded-lg border border-slate-200 bg-white p-8 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <h1 className="text-xl font-semibold">Claim this portal</h1>
        <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
          This portal has no admin yet. Enter the one-time setup code from the console to become its first admin.
        </p>
        <ClaimForm />
      </div>
    );
  }
  // Right after the claim the new admin has no session yet (the claim form signs them in next):
  // say so instead of bouncing to the sign-in page.
  if (!(await currentUser())) {
    return (
      <div className="rounded-lg border border-slate-200 bg-white p-8 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <h1 className="text-xl font-semibold">This portal has an admin</h1>
        <p className="mt-2 text-sm">
          <Link className="text-brand-600 underline" href="/sign-in">Sign in</Link> to continue.
        </p>
      </div>
    );
  }
  const user = await pageUser(["admin"]);
  const tenants = await listTenants(user);
  const progress = await wizardProgress(user);
  const { consent } = await searchParams;
  return (
    <>
      <PageHeader
        title="Tenants"
        description="Each Microsoft 365 tenant the portal sends for, with its app registration, credential, consent and sender restriction."
        actions={<Link href="/setup/new" className={buttonClass()}>Add tenant</Link>}
      />
      {consent && Object.hasOwn(CONSENT_REFUSALS, consent) ? (
        <p role="alert" className="mb-4 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100">
          {CONSENT_REFUSALS[consent as keyof typeof CONSENT_REFUSALS]}
        </p>
      ) : null}
      {tenants.length === 0 ? (
        <Card>
          <p className="text-sm">No tenant is connected yet. The setup wizard will walk you through registering the Entra ID app, consent and restricting sender mailboxes.</p>
        </Card>
      ) : (
        <ul className="grid gap-4 md:grid-cols-2">
          {tenants.map((t) => (
            <li key={t.id}>
              <Card title={t.name} actions={<TenantBadge step={progress.get(t.id)} consent={t.consentState} />}>
                <dl className="grid grid-cols-[8rem_1fr] gap-y-1 text-sm">
                  <dt className="text-slate-500">Cloud</dt>
                  <dd>{CLOUDS[t.cloud].label}</dd>
                  <dt className="text-slate-500">Directory</dt>
                  <dd className="font-mono text-xs break-all">{t.directoryId}</dd>
                  <dt className="text-slate-500">App (client) id</dt>
                  <dd className="font-mono text-xs break-all">{t.clientId ?? "not registered"}</dd>
                  <dt className="text-slate-500">Credential</dt>
                  <dd>{t.credentialKind}</dd>
                  <dt className="text-slate-500">Senders</dt>
                  <dd>{t.senderCount}</dd>
                  <dt className="text-slate-500">Source</dt>
                  <dd>{t.source === "config" ? "configuration file" : "setup wizard"}</dd>
                </dl>
                <p className="mt-3 flex gap-2">
                  {progress.get(t.id) !== "done" ? (
                    <Link href={`/setup/${t.id}`} className={buttonClass("primary", "!px-3 !py-1")} aria-label={`Continue setup of ${t.name}`}>Continue setup</Link>
                  ) : null}
                  <Link href={`/setup/${t.id}/tenant`} className={buttonClass("secondary", "!px-3 !py-1")} aria-label={`Edit ${t.name}`}>Edit</Link>
                </p>
              </Card>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
