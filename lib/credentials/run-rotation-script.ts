import "server-only";
import { recordAudit } from "../audit/record";
import type { SessionUser } from "../auth/session";
import { AppError } from "../errors";
import { runScriptInSandbox, takePrintedSecret, type ScriptRun } from "../tenants/wizard/sandbox-runner";
import { portalNow } from "./clock";
import { sendsStillOnOldCredential } from "./confirm-removal";
import { requireCredentialAdmin } from "./require-role";
import { rotationScripts, type RotationScriptKind } from "./rotation-scripts";
import { saveNextSecret } from "./save-next-secret";
import { tenantForRotation } from "./tenant-for-rotation";

export type RotationRun = ScriptRun & { secretSaved?: boolean };

const KEY_ID_LINE = /^Client secret ID: ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/im;
const EXPIRES_LINE = /^Client secret expires: (\S+)/m;

/**
 * "Run in the sandbox" for a rotation script, as the setup wizard does (lib/tenants/wizard/run-in-sandbox.ts):
 * the sandbox's PowerShell runner executes the PowerShell script against its directory. A new secret it
 * prints is stored as the next credential and cut from the transcript (never sent to the browser).
 * The removal script waits while sends claimed before the switch are still in flight.
 */
export async function runRotationScript(actor: SessionUser, tenantId: string, kind: RotationScriptKind): Promise<RotationRun> {
  requireCredentialAdmin(actor);
  const t = await tenantForRotation(tenantId);
  if (t.cloud !== "sandbox") throw new AppError("NOT_SANDBOX", { userMessage: "Scripts run in the sandbox only for tenants on the Sandbox cloud. Run this one in your own PowerShell.", status: 409 });
  if (kind === "remove" && t.previous?.switchedAt) {
    const inFlight = await sendsStillOnOldCredential(tenantId, t.previous.switchedAt);
    if (inFlight > 0) throw new AppError("ROTATION_SENDS_IN_FLIGHT", { userMessage: `${inFlight} send${inFlight === 1 ? "" : "s"} started before the switch ${inFlight === 1 ? "is" : "are"} still in flight. Wait until ${inFlight === 1 ? "it finishes" : "they finish"}, then remove the old credential.`, status: 409 });
  }
  const run: RotationRun = await runScriptInSandbox(rotationScripts(t, kind, await portalNow()).powershell.text, t.directoryId);
  const secret = takePrintedSecret(run);
  await recordAudit({ actor, action: "credential.rotation-script-run", target: t.name, tenantId, after: { kind, ok: run.ok, errors: run.errors } });
  if (kind === "add-secret" && secret && run.ok) {
    const keyId = KEY_ID_LINE.exec(run.transcript)?.[1] ?? null;
    const expiresText = EXPIRES_LINE.exec(run.transcript)?.[1];
    const expires = expiresText && !Number.isNaN(Date.parse(expiresText)) ? new Date(expiresText) : new Date((await portalNow()).getTime() + 182 * 86_400_000);
    await saveNextSecret(actor, tenantId, { secret, keyId, expires });
    run.secretSaved = true;
  }
  return run;
}
