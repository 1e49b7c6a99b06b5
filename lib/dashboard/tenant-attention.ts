import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { STEP_LABELS, isWizardStep } from "../schemas/wizard";
import { readWizardData } from "../tenants/wizard/wizard-data";

export type AttentionKind = "setup" | "proof";

export interface TenantAttention {
  tenantId: string;
  tenantName: string;
  kind: AttentionKind;
  /** One line saying what is wrong, in the glossary's words. */
  problem: string;
  /** Where to act (the wizard step, or the credential's rotation). */
  href: string;
  action: string;
}

/**
 * Tenants that cannot send safely yet: setup not finished, or a restriction not proved (the Prove step
 * did not see 202 inside and 403 outside). Expiring credentials are lib/credentials' list, shown beside
 * these on the dashboard (CredentialExpiryCard). Admins and auditors see every tenant (auditors read,
 * admins act); senders get none — they cannot act on them.
 */
export async function tenantAttention(actor: SessionUser): Promise<TenantAttention[]> {
  if (actor.role !== "admin" && actor.role !== "auditor") return [];
  const tenants = await db().tenant.findMany({
    orderBy: { name: "asc" },
    select: { id: true, name: true, wizardStep: true, wizardData: true, consentState: true },
  });
  const out: TenantAttention[] = [];
  for (const t of tenants) {
    const step = isWizardStep(t.wizardStep) ? t.wizardStep : "tenant";
    const restriction = readWizardData(t.wizardData).restriction;
    if (step !== "done") {
      out.push({ tenantId: t.id, tenantName: t.name, kind: "setup", problem: `Setup not finished: next step "${STEP_LABELS[step]}".`, href: `/setup/${t.id}/${step}`, action: "Continue setup" });
    } else if (restriction?.status !== "proved") {
      out.push({
        tenantId: t.id,
        tenantName: t.name,
        kind: "proof",
        problem:
          restriction?.status === "not-enforced"
            ? "The restriction is not enforced yet: the outside mailbox could still send."
            : restriction?.status === "scripted"
              ? "The restriction changed after it was proved: prove it again."
              : "The sender restriction is not proved.",
        href: `/setup/${t.id}/prove`,
        action: "Prove the restriction",
      });
    }
  }
  return out;
}
