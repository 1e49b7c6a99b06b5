import type { ReactNode } from "react";
import { notFound } from "next/navigation";
import { Badge, PageHeader } from "@/components/ui/card";
import { Stepper } from "@/components/wizard/stepper";
import { pageUser } from "@/lib/auth/page-user";
import { AppError } from "@/lib/errors";
import { stepIndex } from "@/lib/schemas/wizard";
import { CLOUDS } from "@/lib/tenants/clouds";
import { loadWizardTenant } from "@/lib/tenants/wizard/load-wizard-tenant";

export default async function WizardLayout({ children, params }: { children: ReactNode; params: Promise<{ tenantId: string }> }) {
  const user = await pageUser(["admin"]);
  const { tenantId } = await params;
  const t = await loadWizardTenant(user, tenantId).catch((err: unknown) => {
    if (err instanceof AppError && err.status === 404) notFound();
    throw err;
  });
  return (
    <>
      <PageHeader
        title={`Set up ${t.name}`}
        description={<>{CLOUDS[t.cloud].label} · <span className="font-mono">{t.directoryId}</span> · progress is saved after each step</>}
        actions={<Badge tone={t.wizardStep === "done" ? "good" : "warn"}>{t.wizardStep === "done" ? "set up" : t.wizardStep === "prove" && t.data.restriction && t.data.restriction.status !== "proved" && t.lastVerifiedAt ? "needs proof" : "in progress"}</Badge>}
      />
      <Stepper tenantId={t.id} reached={stepIndex(t.wizardStep)} />
      {children}
    </>
  );
}
