import Link from "next/link";
import { redirect } from "next/navigation";
import { buttonClass } from "@/components/ui/button";
import { Badge, Card } from "@/components/ui/card";
import { StepIntro } from "@/components/wizard/step-intro";
import { requiredPermissions } from "@/lib/powershell/permissions";
import { detectConsent } from "@/lib/tenants/wizard/detect-consent";
import { explainConsentError } from "@/lib/tenants/wizard/explain-consent";
import { wizardPage } from "@/lib/tenants/wizard/wizard-page";
import { ConsentElsewhereForm } from "./elsewhere-form";
import { StartConsentForm } from "./start-form";

export default async function ConsentStep({ params, searchParams }: { params: Promise<{ tenantId: string }>; searchParams: Promise<{ result?: string; error?: string; error_description?: string; next?: string }> }) {
  const { t, user } = await wizardPage(params, "consent");
  const q = await searchParams;
  // Already satisfied (the registration script granted it): say so in one line and go on to Verify. Coming
  // from the Credential step's Continue, skip this page altogether.
  const detected = q.error || q.result ? null : await detectConsent(user, t.id);
  if (detected && q.next === "1") redirect(`/setup/${t.id}/verify?skipped=consent`);
  if (detected) {
    return (
      <>
        <StepIntro title="Admin consent" why="Application permissions such as Mail.Send only take effect once an administrator consents for the whole organization." />
        <Card title="Grant consent" actions={<Badge tone="good">consent granted</Badge>}>
          <p role="status" data-testid="consent-detected" className="mb-3 text-sm">{detected.reason}</p>
          <Link className={buttonClass()} href={`/setup/${t.id}/verify`}>Continue to verify</Link>
          <details className="mt-4 text-sm">
            <summary className="cursor-pointer text-slate-600 dark:text-slate-400">Consent again in the browser anyway</summary>
            <div className="mt-2">{t.clientId ? <StartConsentForm tenantId={t.id} variant="secondary" /> : null}</div>
          </details>
        </Card>
      </>
    );
  }
  const problem = q.error ? explainConsentError(q.error, q.error_description ?? null) : null;
  const granted = t.consentState === "granted";
  // "reported": Microsoft's redirect said admin_consent=True. Only Verify (the app's token) proves it.
  const verifiable = granted || t.consentState === "reported";
  return (
    <>
      <StepIntro
        title="Admin consent"
        why="Application permissions such as Mail.Send only take effect once an administrator consents for the whole organization. The button opens Microsoft's consent page for exactly the permissions the app registration lists; you come back here afterwards."
      />
      {q.result === "reported" ? <p role="status" className="mb-4 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:border-emerald-900 dark:bg-emerald-950 dark:text-emerald-100">Microsoft&apos;s answer says admin consent was granted. Verify proves it: it reads the permissions from the app&apos;s own token.</p> : null}
      {problem ? (
        <div role="alert" className="mb-4 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100">
          <p className="font-semibold">{problem.title}</p>
          <p>{problem.detail}</p>
          <p>{problem.action}</p>
        </div>
      ) : null}
      <Card title="Grant consent" actions={<Badge tone={granted ? "good" : t.consentState === "pending" || t.consentState === "reported" ? "warn" : "bad"}>consent {t.consentState}</Badge>}>
        <p className="mb-3 text-sm">
          Sign in as a Global Administrator (or Privileged Role Administrator) and accept: {requiredPermissions(t).map((p) => `${p.name} (${p.type === "Role" ? "application" : "delegated"})`).join(", ")}.
        </p>
        <div className="flex flex-wrap gap-3">
          {t.clientId ? <StartConsentForm tenantId={t.id} /> : <p className="text-sm">Enter the app&apos;s client ID in the Register step first.</p>}
          <ConsentElsewhereForm tenantId={t.id} />
          {verifiable ? <Link className={buttonClass("secondary")} href={`/setup/${t.id}/verify`}>Continue to verify</Link> : null}
        </div>
      </Card>
    </>
  );
}
