import { StepIntro } from "@/components/wizard/step-intro";
import { TenantForm } from "@/components/wizard/tenant-form";
import { sandboxAvailable } from "@/lib/tenants/wizard/sandbox-endpoints";
import { wizardPage } from "@/lib/tenants/wizard/wizard-page";
import { updateTenantAction } from "./actions";

export default async function TenantStep({ params }: { params: Promise<{ tenantId: string }> }) {
  const { t } = await wizardPage(params, "tenant");
  const usage = t.useApplication && t.useDelegated ? "both" : t.useDelegated ? "delegated" : "application";
  return (
    <>
      <StepIntro
        title="Tenant"
        why="The portal needs to know which directory and which Microsoft cloud to sign in to, since each cloud has its own hosts. What you will use it for decides the permissions the app asks for — no more than that."
      />
      <TenantForm
        action={updateTenantAction}
        sandboxAvailable={t.cloud === "sandbox" || (await sandboxAvailable())}
        defaults={{ tenantId: t.id, name: t.name, directoryId: t.directoryId, cloud: t.cloud, usage, largeAttachments: t.largeAttachments, bulkDirectory: t.bulkDirectory, messageTrace: t.messageTrace }}
      />
    </>
  );
}
