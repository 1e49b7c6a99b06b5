import "server-only";
import { recordAudit } from "../audit/record";
import type { SessionUser } from "../auth/session";
import { db } from "../db";
import { AppError } from "../errors";
import { requireCredentialAdmin } from "./require-role";
import { tryRotationCredential } from "./rotation-access";
import { tenantForRotation } from "./tenant-for-rotation";

/**
 * Rotation step 2: asks Entra ID for a real app-only token with the new credential (never a cached one).
 * Only a credential that got a token may be switched to. Entra ID can take a little while to accept a
 * credential just added (replication), so a refusal says to try again in a minute.
 */
export async function verifyNext(actor: SessionUser, tenantId: string): Promise<{ verifiedAt: Date }> {
  requireCredentialAdmin(actor);
  const t = await tenantForRotation(tenantId);
  if (!t.next) throw new AppError("ROTATION_NOTHING_TO_VERIFY", { userMessage: "Add a new certificate or secret first.", status: 409 });
  const refused = await tryRotationCredential(t, t.next);
  if (refused) {
    await recordAudit({ actor, action: "credential.rotation-verify-failed", target: t.name, tenantId, after: { kind: t.next.kind, code: refused.code } });
    throw new AppError(refused.code, {
      userMessage: `Entra ID did not accept the new ${t.next.kind}: ${refused.userMessage} If the script has just run, wait a minute and verify again. Sends keep using the current credential.`,
      status: 422,
    });
  }
  const verifiedAt = new Date();
  await db().tenantCredential.update({ where: { id: t.next.id }, data: { verifiedAt } });
  await recordAudit({ actor, action: "credential.rotation-verified", target: t.name, tenantId, after: { kind: t.next.kind } });
  return { verifiedAt };
}
