import "server-only";
import { notFound } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/record";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { requireAdmin } from "./require-admin";
import { furthest } from "./wizard-data";

/** Step 2: the application (client) id of the registered app. A new app means consent and verification start over. */
export async function saveClientId(actor: SessionUser, tenantId: string, clientId: string): Promise<void> {
  requireAdmin(actor);
  const before = await db().tenant.findUnique({ where: { id: tenantId }, select: { clientId: true, wizardStep: true, name: true } });
  if (!before) throw notFound("That tenant");
  const id = clientId.toLowerCase();
  const changed = before.clientId?.toLowerCase() !== id;
  await db().tenant.update({
    where: { id: tenantId },
    data: {
      clientId: id,
      wizardStep: furthest(before.wizardStep, "credential"),
      ...(changed ? { consentState: "pending", consentAt: null, lastVerifiedAt: null } : {}),
    },
  });
  if (changed) await recordAudit({ actor, action: "tenant.app-registered", target: before.name, tenantId, before: { clientId: before.clientId }, after: { clientId: id } });
}
