import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { StepIntro } from "@/components/wizard/step-intro";
import { TenantSummary } from "@/components/wizard/tenant-summary";
import { wizardPage } from "@/lib/tenants/wizard/wizard-page";
import { SendAsProvedForm } from "./send-as-form";

export default async function DoneStep({ params }: { params: Promise<{ tenantId: string }> }) {
  const { t } = await wizardPage(params, "done");
  const proved = t.senders.filter((s) => s.allowed && (s.policyStatus === "allowed" || s.policyStatus === "proved"));
  return (
    <>
      <StepIntro
        title="Done"
        why="The tenant is connected: the summary below is what the portal relies on when it sends. Any step can be revisited from the steps above — a new credential, another mailbox, a fresh proof."
      />
      <Card title={t.name}>
        <TenantSummary t={t} />
      </Card>
      <Card title="Next step" className="mt-4">
        <p className="mb-3 text-sm">
          {proved.length
            ? <>Send a first mail as {proved.map((s) => s.address).join(", ")}: it shows in History with Microsoft&apos;s answer. Nobody may send as a mailbox until an admin grants it — yourself included.</>
            : <>Send a first mail: it shows in History with Microsoft&apos;s answer.</>}
        </p>
        <div className="flex flex-wrap items-start gap-3">
          {proved.length ? <SendAsProvedForm tenantId={t.id} /> : <Link className={buttonClass()} href="/compose">Compose a mail</Link>}
          <Link className={buttonClass("secondary")} href="/history">History</Link>
          <Link className={buttonClass("secondary")} href="/senders">Who may send as which mailbox</Link>
          <Link className={buttonClass("secondary")} href="/setup">All tenants</Link>
        </div>
      </Card>
    </>
  );
}
