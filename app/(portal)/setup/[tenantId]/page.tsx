import { redirect } from "next/navigation";
import { wizardPage } from "@/lib/tenants/wizard/wizard-page";

/** /setup/<id> resumes where the admin left off. */
export default async function ResumeWizard({ params }: { params: Promise<{ tenantId: string }> }) {
  const { t } = await wizardPage(params, "tenant");
  redirect(`/setup/${t.id}/${t.wizardStep}`);
}
