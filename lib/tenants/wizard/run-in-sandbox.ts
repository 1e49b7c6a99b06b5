import "server-only";
import { recordAudit } from "@/lib/audit/record";
import type { SessionUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { loadWizardTenant } from "./load-wizard-tenant";
import { runScriptInSandbox, takePrintedSecret, type ScriptRun } from "./sandbox-runner";
import { saveClientId } from "./save-client-id";
import { saveSecret } from "./save-secret";
import { tenantScript, type ScriptKind } from "./tenant-scripts";

/**
 * "Run in the sandbox": the generated script text runs in the sandbox's PowerShell runner
 * (sandbox-runner.ts) against its own directory, which answers the console transcript. Only for
 * tenants on the Sandbox cloud. The transcript is returned to the admin (like their own console would
 * show it) and never stored.
 */
export type SandboxRun = ScriptRun & { clientId?: string; secretSaved?: boolean };

const EXPIRES_LINE = /^Client secret expires: (\d{4}-\d{2}-\d{2})/m;

export async function runInSandbox(actor: SessionUser, tenantId: string, kind: ScriptKind): Promise<SandboxRun> {
  const t = await loadWizardTenant(actor, tenantId);
  if (t.cloud !== "sandbox") {
    throw new AppError("NOT_SANDBOX", { userMessage: "Scripts run in the sandbox only for tenants on the Sandbox cloud. Run this one in your own PowerShell.", status: 409 });
  }
  if (kind === "register-az") throw new AppError("NOT_SUPPORTED", { userMessage: "The sandbox runs the PowerShell scripts; the Azure CLI script is for your own shell.", status: 409 });
  const run: SandboxRun = await runScriptInSandbox(tenantScript(t, kind).text, t.directoryId);
  await recordAudit({ actor, action: "tenant.sandbox-script-run", target: t.name, tenantId, after: { kind, ok: run.ok, errors: run.errors } });
  if (kind === "register-ps") {
    // The registration script prints the new app's id, as a real console would; fill it in for the admin.
    const m = /Application \(client\) ID: ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i.exec(run.transcript);
    if (m?.[1]) {
      await saveClientId(actor, tenantId, m[1]);
      run.clientId = m[1].toLowerCase();
    }
    // A printed client secret goes straight into the portal, encrypted (sandbox-runner.ts).
    const secret = takePrintedSecret(run);
    if (secret) {
      if (run.clientId) {
        const expires = EXPIRES_LINE.exec(run.transcript)?.[1] ?? new Date(Date.now() + 180 * 86_400_000).toISOString().slice(0, 10);
        await saveSecret(actor, tenantId, secret, expires);
        run.secretSaved = true;
      }
    }
  }
  return run;
}

/**
 * The recommended restriction in one run: the RBAC for Applications script, then the generated removal of
 * the tenant-wide Mail.Send grant — the scope only takes effect once that grant is gone, as grants from
 * Entra ID and Exchange add up (https://learn.microsoft.com/exchange/permissions-exo/application-rbac).
 * The removal runs only when the scope was made without errors.
 */
export async function runRecommendedRestriction(actor: SessionUser, tenantId: string): Promise<SandboxRun> {
  const scope = await runInSandbox(actor, tenantId, "rbac");
  if (!scope.ok) return scope;
  const removal = await runInSandbox(actor, tenantId, "remove-grant");
  return { transcript: `${scope.transcript.trimEnd()}\n\n${removal.transcript}`, ok: removal.ok, errors: scope.errors + removal.errors };
}
