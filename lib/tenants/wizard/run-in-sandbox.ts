import "server-only";
import { z } from "zod";
import { recordAudit } from "@/lib/audit/record";
import type { SessionUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { loadWizardTenant } from "./load-wizard-tenant";
import { sandboxEndpoints } from "./sandbox-endpoints";
import { saveClientId } from "./save-client-id";
import { saveSecret } from "./save-secret";
import { tenantScript, type ScriptKind } from "./tenant-scripts";

/**
 * "Run in the sandbox": posts the generated script text to the sandbox's PowerShell runner
 * ({controlUrl}/powershell/run), which parses and executes it against its own directory and answers
 * the console transcript. Only for tenants on the Sandbox cloud. The transcript is returned to the
 * admin (like their own console would show it) and never stored.
 */
const answer = z.object({ transcript: z.string(), ok: z.boolean(), errors: z.number() });
export type SandboxRun = z.infer<typeof answer> & { clientId?: string; secretSaved?: boolean };

const SECRET_LINE = /^(Client secret value: )(\S+)$/m;
const EXPIRES_LINE = /^Client secret expires: (\d{4}-\d{2}-\d{2})/m;

export async function runInSandbox(actor: SessionUser, tenantId: string, kind: ScriptKind): Promise<SandboxRun> {
  const t = await loadWizardTenant(actor, tenantId);
  if (t.cloud !== "sandbox") {
    throw new AppError("NOT_SANDBOX", { userMessage: "Scripts run in the sandbox only for tenants on the Sandbox cloud. Run this one in your own PowerShell.", status: 409 });
  }
  if (kind === "register-az") throw new AppError("NOT_SUPPORTED", { userMessage: "The sandbox runs the PowerShell scripts; the Azure CLI script is for your own shell.", status: 409 });
  const script = tenantScript(t, kind);
  const { controlUrl } = await sandboxEndpoints();
  let res: Response;
  try {
    res = await fetch(`${controlUrl}/powershell/run`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ script: script.text, tenant: t.directoryId }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (cause) {
    throw new AppError("SANDBOX_UNREACHABLE", { userMessage: "The sandbox did not answer. Is it still running?", status: 502, cause });
  }
  if (!res.ok) throw new AppError("SANDBOX_RUN_FAILED", { userMessage: `The sandbox refused the script (HTTP ${res.status}).`, status: 502 });
  const run: SandboxRun = answer.parse(await res.json());
  await recordAudit({ actor, action: "tenant.sandbox-script-run", target: t.name, tenantId, after: { kind, ok: run.ok, errors: run.errors } });
  if (kind === "register-ps") {
    // The registration script prints the new app's id, as a real console would; fill it in for the admin.
    const m = /Application \(client\) ID: ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i.exec(run.transcript);
    if (m?.[1]) {
      await saveClientId(actor, tenantId, m[1]);
      run.clientId = m[1].toLowerCase();
    }
    // A client secret printed by Add-MgApplicationPassword goes straight into the portal, encrypted, and is
    // cut from the transcript: secrets never reach the browser (a real console shows it once; here the
    // portal is the only reader that needs it).
    const secret = SECRET_LINE.exec(run.transcript)?.[2];
    if (secret) {
      run.transcript = run.transcript.replace(SECRET_LINE, "$1[saved, encrypted, by the portal: not shown]");
      if (run.clientId) {
        const expires = EXPIRES_LINE.exec(run.transcript)?.[1] ?? new Date(Date.now() + 180 * 86_400_000).toISOString().slice(0, 10);
        await saveSecret(actor, tenantId, secret, expires);
        run.secretSaved = true;
      }
    }
  }
  return run;
}
