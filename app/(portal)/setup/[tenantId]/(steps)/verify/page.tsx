import { Card } from "@/components/ui/card";
import { StepIntro } from "@/components/wizard/step-intro";
import { wizardPage } from "@/lib/tenants/wizard/wizard-page";
import { VerifyForm } from "./verify-form";

export default async function VerifyStep({ params, searchParams }: { params: Promise<{ tenantId: string }>; searchParams: Promise<{ skipped?: string }> }) {
  const { t } = await wizardPage(params, "verify");
  const { skipped } = await searchParams;
  return (
    <>
      <StepIntro
        title="Verify"
        why="The portal asks Entra ID for a token exactly as it will when sending, and reads which permissions the tenant really granted. This catches a wrong secret, a certificate not uploaded yet, or consent that is missing, before any mail depends on it."
      />
      {skipped === "consent" && t.consentState === "granted" ? (
        <p role="status" data-testid="consent-skipped" className="mb-4 text-sm text-emerald-800 dark:text-emerald-200">
          Admin consent skipped: already granted by the registration script (the app&apos;s token carries Mail.Send).
        </p>
      ) : null}
      <Card>
        <p className="mb-3 text-sm text-slate-600 dark:text-slate-400">
          Last verified: {t.lastVerifiedAt ? <time dateTime={t.lastVerifiedAt.toISOString()}>{t.lastVerifiedAt.toISOString().replace("T", " ").slice(0, 19)} UTC</time> : "never"}
          {t.data.verify ? <> · roles then: {t.data.verify.roles.join(", ") || "none"}</> : null}
        </p>
        <VerifyForm tenantId={t.id} next={`/setup/${t.id}/${t.useApplication ? "restrict" : "done"}`} prove={`/setup/${t.id}/prove`} />
      </Card>
    </>
  );
}
