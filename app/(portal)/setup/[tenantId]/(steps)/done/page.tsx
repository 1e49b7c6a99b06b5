import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { StepIntro } from "@/components/wizard/step-intro";
import { TenantSummary } from "@/components/wizard/tenant-summary";
import { wizardPage } from "@/lib/tenants/wizard/wizard-page";

export default async function DoneStep({ params }: { params: Promise<{ tenantId: string }> }) {
  const { t } = await wizardPage(params, "done");
  return (
    <>
      <StepIntro
        title="Done"
        why="The tenant is connected: the summary below is what the portal relies on when it sends. Any step can be revisited from the steps above — a new credential, another mailbox, a fresh proof."
      />
      <Card title={t.name}>
        <TenantSummary t={t} />
      </Card>
      <p className="mt-4 flex gap-3">
        <Link className={buttonClass()} href="/setup">All tenants</Link>
        <Link className={buttonClass("secondary")} href={`/setup/${t.id}/tenant`}>Edit</Link>
      </p>
    </>
  );
}
