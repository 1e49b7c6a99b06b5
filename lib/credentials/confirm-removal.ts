import "server-only";
import { recordAudit } from "../audit/record";
import type { SessionUser } from "../auth/session";
import { db } from "../db";
import { AppError } from "../errors";
import { requireCredentialAdmin } from "./require-role";
import { CREDENTIAL_REFUSALS, tryRotationCredential } from "./rotation-access";
import { tenantForRotation } from "./tenant-for-rotation";

/**
 * Sends claimed before the switch and still in flight (they may hold the old credential's MSAL client):
 * the sandbox run of the removal script waits for them, and the page says so before offering the script.
 */
export async function sendsStillOnOldCredential(tenantId: string, switchedAt: Date): Promise<number> {
  return db().send.count({ where: { tenantId, status: "sending", updatedAt: { lt: switchedAt } } });
}

/**
 * Rotation step 4, after the removal script ran: the portal proves the old credential is gone by asking
 * Entra ID for a token with it — it must be refused (AADSTS7000215 for a removed secret, AADSTS700027 for
 * a removed certificate: learn.microsoft.com/entra/identity-platform/reference-error-codes) — and only
 * then forgets it. While Entra ID still issues tokens with it, nothing is forgotten and the admin is told.
 */

export async function confirmRemoval(actor: SessionUser, tenantId: string): Promise<{ code: string }> {
  requireCredentialAdmin(actor);
  const t = await tenantForRotation(tenantId);
  const prev = t.previous;
  if (!prev) throw new AppError("ROTATION_NOTHING_TO_REMOVE", { userMessage: "There is no old credential waiting to be removed.", status: 409 });
  const refused = await tryRotationCredential(t, prev);
  if (!refused) {
    await recordAudit({ actor, action: "credential.rotation-remove-pending", target: t.name, tenantId, after: { kind: prev.kind } });
    throw new AppError("ROTATION_OLD_STILL_VALID", { userMessage: `Entra ID still issues tokens with the old ${prev.kind}. Run the removal script (it can take a minute to apply), then check again.`, status: 409 });
  }
  if (!CREDENTIAL_REFUSALS.includes(refused.code)) {
    throw new AppError("ROTATION_CHECK_FAILED", { userMessage: `Could not check the old credential: ${refused.userMessage}`, status: 502 });
  }
  await db().tenantCredential.delete({ where: { id: prev.id } });
  await recordAudit({ actor, action: "credential.rotation-removed", target: t.name, tenantId, after: { kind: prev.kind, refusedWith: refused.code } });
  return { code: refused.code };
}
