import "server-only";
import { recordAudit } from "@/lib/audit/record";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { AppError, notFound } from "@/lib/errors";
import { verifyConsentState } from "./consent-state";
import { requireAdmin } from "./require-admin";
import { furthest } from "./wizard-data";

export interface ConsentCallback {
  state: string | null;
  adminConsent: string | null;
  error: string | null;
  errorDescription: string | null;
}

/**
 * The admin consent callback: the signed state must name this admin and a tenant, and be fresh.
 * Records admin_consent=True as granted, or the error (access_denied, consent_required, …) as refused.
 * Returns the tenant id so the caller can go back to the consent step.
 */
export async function recordConsent(actor: SessionUser, cb: ConsentCallback): Promise<{ tenantId: string; granted: boolean }> {
  requireAdmin(actor);
  const st = verifyConsentState(cb.state);
  if (!st.ok || st.userId !== actor.id) {
    throw new AppError("CONSENT_STATE_INVALID", {
      userMessage: st.ok || st.reason !== "expired"
        ? "This consent answer was not started by you from this portal, so it was ignored. Start admin consent again from the wizard."
        : "This consent answer came back after more than 30 minutes, so it was ignored. Start admin consent again from the wizard.",
      status: 400,
    });
  }
  const t = await db().tenant.findUnique({ where: { id: st.tenantId }, select: { name: true, wizardStep: true, consentState: true } });
  if (!t) throw new AppError("NOT_FOUND", { userMessage: "That tenant no longer exists.", status: 404 });
  const granted = cb.adminConsent?.toLowerCase() === "true" && !cb.error;
  const consentState = granted ? "granted" : cb.error === "access_denied" ? "refused" : "failed";
  await db().tenant.update({
    where: { id: st.tenantId },
    data: { consentState, consentAt: new Date(), ...(granted ? { wizardStep: furthest(t.wizardStep, "verify") } : {}) },
  });
  // error_description carries Microsoft's text (AADSTS number, trace ids): kept in the audit, no secrets in it.
  await recordAudit({ actor, action: "tenant.consent", target: t.name, tenantId: st.tenantId, before: { consentState: t.consentState }, after: { consentState, ...(cb.error ? { error: cb.error, description: (cb.errorDescription ?? "").slice(0, 500) } : {}) } });
  return { tenantId: st.tenantId, granted };
}

/** Marks consent as given elsewhere ("someone else consented"): the Verify step is what proves it. */
export async function markConsentElsewhere(actor: SessionUser, tenantId: string): Promise<void> {
  requireAdmin(actor);
  const t = await db().tenant.findUnique({ where: { id: tenantId }, select: { name: true, wizardStep: true } });
  if (!t) throw notFound("That tenant");
  await db().tenant.update({ where: { id: tenantId }, data: { wizardStep: furthest(t.wizardStep, "verify") } });
  await recordAudit({ actor, action: "tenant.consent-elsewhere", target: t.name, tenantId });
}
