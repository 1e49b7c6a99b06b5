import "server-only";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { requireAdmin } from "./require-admin";

/** Each tenant's wizard step, for the Setup list's "Continue setup" links. */
export async function wizardProgress(actor: SessionUser): Promise<Map<string, string>> {
  requireAdmin(actor);
  const rows = await db().tenant.findMany({ select: { id: true, wizardStep: true } });
  return new Map(rows.map((r) => [r.id, r.wizardStep]));
}
