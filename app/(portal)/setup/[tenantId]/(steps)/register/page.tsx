import { Card } from "@/components/ui/card";
import { SandboxRun } from "@/components/wizard/sandbox-run";
import { ScriptBlock } from "@/components/wizard/script-block";
import { StepIntro } from "@/components/wizard/step-intro";
import { requiredPermissions } from "@/lib/powershell/permissions";
import { portalRedirectUris, tenantScript } from "@/lib/tenants/wizard/tenant-scripts";
import { wizardPage } from "@/lib/tenants/wizard/wizard-page";
import { runScriptAction } from "../../actions";
import { ClientIdForm, PlanCredentialForm } from "./forms";

export default async function RegisterStep({ params }: { params: Promise<{ tenantId: string }> }) {
  const { t } = await wizardPage(params, "register");
  const ps = tenantScript(t, "register-ps");
  const az = tenantScript(t, "register-az");
  const uris = portalRedirectUris();
  const perms = requiredPermissions(t);
  const planned = t.data.plannedCredential ?? "certificate";
  const base = `/api/setup/${t.id}/scripts`;
  return (
    <>
      <StepIntro
        title="Register the app"
        why="Microsoft Graph only accepts mail from an app registered in your Entra ID, with the permissions you grant it. The script below creates the app asking for exactly these permissions (other ways are one click away); then the application (client) ID is filled in."
      />
      <ul className="mb-4 list-disc pl-6 text-sm">
        {perms.map((p) => (
          <li key={`${p.name}:${p.type}`}>
            <strong>{p.name}</strong> ({p.type === "Role" ? "application" : "delegated"}): {p.why}.
          </li>
        ))}
      </ul>
      <PlanCredentialForm tenantId={t.id} planned={planned} />
      <div className="mt-4 min-w-0">
        <ScriptBlock title="Microsoft Graph PowerShell (recommended)" text={ps.text} downloadHref={`${base}/register-ps`} filename={ps.filename}>
          {t.cloud === "sandbox" ? <SandboxRun action={runScriptAction} tenantId={t.id} kind="register-ps" variant={t.clientId ? "secondary" : "primary"} /> : null}
        </ScriptBlock>
      </div>
      <Card title="The registered app" className="mt-4">
        <ClientIdForm tenantId={t.id} clientId={t.clientId} primary={!!t.clientId || t.cloud !== "sandbox"} />
      </Card>
      {/* Alternatives one click away: the same app, made another way. */}
      <details className="mt-4 text-sm" data-testid="register-other-ways">
        <summary className="cursor-pointer font-medium">Other ways: Azure CLI, by hand in the Entra admin center</summary>
        <div className="mt-3 grid min-w-0 gap-4">
          <Card title="By hand, in the Entra admin center">
            <ol className="list-decimal space-y-1 pl-5 text-sm">
              <li>Open <strong>Entra ID → App registrations → New registration</strong>.</li>
              <li>Name: <span className="font-mono">Graph Mail Portal</span>; Supported account types: <strong>Accounts in this organizational directory only</strong>.</li>
              <li>Redirect URI: platform <strong>Web</strong>, <span className="break-all font-mono">{uris.consent}</span>{t.useDelegated ? <>; then under <strong>Authentication</strong> add <span className="break-all font-mono">{uris.signIn}</span></> : null}.</li>
              <li><strong>API permissions → Add a permission → Microsoft Graph</strong>: {perms.map((p) => `${p.name} (${p.type === "Role" ? "Application permissions" : "Delegated permissions"})`).join(", ")}. Remove User.Read if you do not sign people in.</li>
              <li>{planned === "secret" ? <><strong>Certificates &amp; secrets → New client secret</strong>: copy its <em>Value</em> (shown once) for the next step.</> : <>The certificate comes in the next step (the portal makes it).</>}</li>
              <li>Copy the <strong>Application (client) ID</strong> from <strong>Overview</strong> into the field above.</li>
            </ol>
          </Card>
          <ScriptBlock title="Azure CLI (bash)" text={az.text} downloadHref={`${base}/register-az`} filename={az.filename} />
        </div>
      </details>
    </>
  );
}
