import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { SandboxRun } from "@/components/wizard/sandbox-run";
import { ScriptBlock } from "@/components/wizard/script-block";
import { StepIntro } from "@/components/wizard/step-intro";
import { RBAC_LEARN_URL } from "@/lib/powershell/remove-tenant-grant";
import { directoryChoices } from "@/lib/tenants/wizard/directory-choices";
import { tenantScript } from "@/lib/tenants/wizard/tenant-scripts";
import { wizardPage } from "@/lib/tenants/wizard/wizard-page";
import { runScriptAction } from "../../actions";
import { RestrictForm } from "./restrict-form";
import { runRecommendedAction } from "./run-actions";

export default async function RestrictStep({ params }: { params: Promise<{ tenantId: string }> }) {
  const { t, user } = await wizardPage(params, "restrict");
  const choices = await directoryChoices(user, t.id);
  const r = t.data.restriction;
  const method = r?.method ?? (r ? "policy" : "rbac");
  const scripts = r && t.clientId
    ? { rbac: tenantScript(t, "rbac"), removeGrant: tenantScript(t, "remove-grant"), policy: r.groupAddress ? tenantScript(t, "policy") : null }
    : null;
  const base = `/api/setup/${t.id}/scripts`;
  const sandbox = t.cloud === "sandbox";
  const rbacBlocks = scripts ? (
    <>
      <ScriptBlock title="1. RBAC for Applications (recommended)" text={scripts.rbac.text} downloadHref={`${base}/rbac`} filename={scripts.rbac.filename}>
        {sandbox ? <SandboxRun action={runScriptAction} tenantId={t.id} kind="rbac" /> : null}
      </ScriptBlock>
      <div id="remove-grant">
        <ScriptBlock title="2. Remove the tenant-wide grant" text={scripts.removeGrant.text} downloadHref={`${base}/remove-grant`} filename={scripts.removeGrant.filename}>
          <p className="mt-2 text-sm text-amber-800 dark:text-amber-200">
            Grants from Entra ID and Exchange add up: the scope only takes effect once the app&apos;s tenant-wide Mail.Send (application) grant is removed in Entra ID{" "}
            (<a className="underline" href={RBAC_LEARN_URL} target="_blank" rel="noreferrer">Microsoft Learn: RBAC for Applications, FAQ</a>). After this script the app&apos;s token has no <code>roles</code> claim; that is expected.
          </p>
          {sandbox ? <SandboxRun action={runScriptAction} tenantId={t.id} kind="remove-grant" /> : null}
        </ScriptBlock>
      </div>
    </>
  ) : null;
  const policyBlock = scripts?.policy ? (
    <ScriptBlock title="Application access policy" text={scripts.policy.text} downloadHref={`${base}/policy`} filename={scripts.policy.filename}>
      {sandbox ? <SandboxRun action={runScriptAction} tenantId={t.id} kind="policy" /> : null}
    </ScriptBlock>
  ) : null;
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
            method,
            mailboxes: (r?.mailboxes ?? t.senders.filter((s) => s.allowed).map((s) => s.address)).join("\n"),
            groupAddress: r?.groupAddress ?? "",
            // Creating a new group in the script is the recommended default when none in the tenant fits.
            createGroup: r?.createGroup ?? true,
            outsideMailbox: r?.outsideMailbox ?? "",
          }}
          choices={choices}
        />
      </Card>
      {scripts ? (
        <>
          {method === "rbac" && sandbox ? (
            <Card title="The recommended restriction, in one run" className="mt-4">
              <p className="text-sm">Runs script 1 (the RBAC scope), then script 2 (the removal of the tenant-wide Mail.Send grant), in the sandbox.</p>
              <SandboxRun action={runRecommendedAction} tenantId={t.id} kind="rbac" label="Run both in the sandbox" variant="primary" />
            </Card>
          ) : null}
          <div className="mt-4 grid gap-4 xl:grid-cols-2">{method === "rbac" ? rbacBlocks : policyBlock}</div>
          {method === "rbac" ? (
            <p className="mt-4 flex flex-wrap items-center gap-3">
              <Link className={buttonClass()} href={`/setup/${t.id}/prove`}>Continue to the proof</Link>
              <Link className={buttonClass("secondary")} href={`/setup/${t.id}/verify`}>Verify again</Link>
              <span className="text-sm text-slate-600 dark:text-slate-400">After both scripts the token carries no tenant-wide grant; the proof shows the scope.</span>
            </p>
          ) : (
            <p className="mt-4"><Link className={buttonClass()} href={`/setup/${t.id}/prove`}>Continue to the proof</Link></p>
          )}
          {method === "policy" ? (
            <details className="mt-4 text-sm">
              <summary className="cursor-pointer">Other way: RBAC for Applications (recommended)</summary>
              <div className="mt-2 grid gap-4 xl:grid-cols-2">{rbacBlocks}</div>
            </details>
          ) : null}
        </>
      ) : null}
    </>
  );
}
