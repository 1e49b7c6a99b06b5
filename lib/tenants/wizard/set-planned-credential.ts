import "server-only";
import { notFound } from "@/lib/errors";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { requireAdmin } from "./require-admin";
import { readWizardData, toJson } from "./wizard-data";

/** Remembers which credential the register step's scripts plan for (a secret, or the portal's certificate). */
export async function setPlannedCredential(actor: SessionUser, tenantId: string, kind: "secret" | "certificate"): Promise<void> {
  requireAdmin(actor);
  const t = await db().tenant.findUnique({ where: { id: tenantId }, select: { wizardData: true } });
  if (!t) throw notFound("That tenant");
  const data = { ...readWizardData(t.wizardData), plannedCredential: kind };
  await db().tenant.update({ where: { id: tenantId }, data: { wizardData: toJson(data) } });
}
