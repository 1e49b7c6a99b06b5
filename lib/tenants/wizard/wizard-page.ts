import "server-only";
import { notFound, redirect } from "next/navigation";
import { pageUser } from "@/lib/auth/page-user";
import { AppError } from "@/lib/errors";
import { stepIndex, type WizardStep } from "@/lib/schemas/wizard";
import { loadWizardTenant } from "./load-wizard-tenant";

/** For a step page: the admin, the tenant, and a redirect to the furthest step reached when this one is not open yet. */
export async function wizardPage(params: Promise<{ tenantId: string }>, step: WizardStep) {
  const user = await pageUser(["admin"]);
  const { tenantId } = await params;
  const t = await loadWizardTenant(user, tenantId).catch((err: unknown) => {
    if (err instanceof AppError && err.status === 404) notFound();
    throw err;
  });
  if (stepIndex(step) > stepIndex(t.wizardStep)) redirect(`/setup/${t.id}/${t.wizardStep}`);
  return { user, t };
}
