import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { SandboxRun } from "@/components/wizard/sandbox-run";
import { ScriptBlock } from "@/components/wizard/script-block";
import { StepIntro } from "@/components/wizard/step-intro";
import { tenantScript } from "@/lib/tenants/wizard/tenant-scripts";
import { wizardPage } from "@/lib/tenants/wizard/wizard-page";
import { runScriptAction } from "../../actions";
import { RestrictForm } from "./restrict-form";

export default async function RestrictStep({ params }: { params: Promise<{ tenantId: string }> }) {
  const { t } = await wizardPage(params, "restrict");
  const r = t.data.restriction;
  const scripts = r && t.clientId ? { rbac: tenantScript(t, "rbac"), policy: tenantScript(t, "policy") } : null;
  const base = `/api/setup/${t.id}/scripts`;
  return (
    <>
      <StepIntro
        title="Restrict sender mailboxes"
        why="Application Mail.Send lets the app send as every mailbox in the tenant, so a leaked credential could impersonate anyone. Exchange Online can limit it to the mailboxes listed here: with RBAC for Applications (Microsoft's recommended way) or with an application access policy (what older guides use)."
      />
      <Card>
        <RestrictForm
          tenantId={t.id}
          defaults={{
            mailboxes: (r?.mailboxes ?? t.senders.filter((s) => s.allowed).map((s) => s.address)).join("\n"),
            groupAddress: r?.groupAddress ?? "",
            createGroup: r?.createGroup ?? false,
            outsideMailbox: r?.outsideMailbox ?? "",
          }}
        />
      </Card>
      {scripts ? (
        <>
          <div className="mt-4 grid gap-4 xl:grid-cols-2">
            <ScriptBlock title="RBAC for Applications (recommended)" text={scripts.rbac.text} downloadHref={`${base}/rbac`} filename={scripts.rbac.filename}>
              <p className="mt-2 text-sm text-amber-800 dark:text-amber-200">
                Grants from Entra ID and Exchange add up: the scope only takes effect after you remove the app&apos;s tenant-wide Mail.Send (application) consent in Entra ID.
              </p>
              {t.cloud === "sandbox" ? <SandboxRun action={runScriptAction} tenantId={t.id} kind="rbac" /> : null}
            </ScriptBlock>
            <ScriptBlock title="Application access policy" text={scripts.policy.text} downloadHref={`${base}/policy`} filename={scripts.policy.filename}>
              {t.cloud === "sandbox" ? <SandboxRun action={runScriptAction} tenantId={t.id} kind="policy" /> : null}
            </ScriptBlock>
          </div>
          <p className="mt-4"><Link className={buttonClass()} href={`/setup/${t.id}/prove`}>Continue to the proof</Link></p>
        </>
      ) : null}
    </>
  );
}
