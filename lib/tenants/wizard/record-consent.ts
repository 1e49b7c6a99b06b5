import "server-only";
import { recordAudit } from "@/lib/audit/record";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { AppError, notFound } from "@/lib/errors";
import { consumeConsentState, type ConsentStateRefusal } from "./consent-state";
import { requireAdmin } from "./require-admin";
import { furthest } from "./wizard-data";

export interface ConsentCallback {
  state: string | null;
  adminConsent: string | null;
  error: string | null;
  errorDescription: string | null;
}

/** Why a callback was ignored, in words for the page (keyed by the refusal reason, also the ?consent= value). */
export const CONSENT_REFUSALS: Record<ConsentStateRefusal | "too-many", string> = {
  unknown: "An admin consent answer was ignored: this portal did not start it. Start admin consent again from the tenant's setup.",
  replayed: "An admin consent answer was ignored: it had already been used once. Each answer counts once; start admin consent again from the tenant's setup if you need to.",
  expired: "An admin consent answer was ignored: it came back more than 30 minutes after it was started. Start admin consent again from the tenant's setup.",
  "other-session": "An admin consent answer was ignored: it was started in another session (another admin, or before you signed in again). Start admin consent again from the tenant's setup.",
  "too-many": "Too many admin consent answers came from your address. Wait a few minutes, then start admin consent again from the tenant's setup.",
};

/**
 * The admin consent callback. The state must be one this admin started in this session, not yet used
 * and fresh (consent-state.ts); anything else is refused and audited.
 *
 * `admin_consent=True` is only what the redirect says: anyone can type that query string, so it is
 * recorded as "reported" — the admin says consent was granted — and opens the Verify step. Verify
 * (verify-tenant.ts) is the only proof: the app's own token carries the granted roles, and only it sets
 * consent to "granted" and moves the wizard past Verify. An error (access_denied, consent_required, …)
 * is recorded as refused or failed, with Microsoft's description kept in the audit.
 * Microsoft: https://learn.microsoft.com/entra/identity-platform/v2-admin-consent#successful-response
 */
export async function recordConsent(actor: SessionUser, cb: ConsentCallback): Promise<{ tenantId: string; reported: boolean }> {
  requireAdmin(actor);
  const st = await consumeConsentState(cb.state, actor.id);
  if (!st.ok) {
    const t = st.tenantId ? await db().tenant.findUnique({ where: { id: st.tenantId }, select: { name: true } }) : null;
    await recordAudit({
      actor,
      action: "tenant.consent-callback-refused",
      target: t?.name,
      tenantId: t ? st.tenantId : undefined,
      after: { reason: st.reason, adminConsent: (cb.adminConsent ?? "").slice(0, 20), ...(cb.error ? { error: cb.error.slice(0, 100) } : {}) },
    });
    throw new AppError("CONSENT_STATE_INVALID", { userMessage: CONSENT_REFUSALS[st.reason], status: 400, details: { reason: st.reason } });
  }
  const t = await db().tenant.findUnique({ where: { id: st.tenantId }, select: { name: true, wizardStep: true, consentState: true } });
  if (!t) throw new AppError("NOT_FOUND", { userMessage: "That tenant no longer exists.", status: 404 });
  const reported = cb.adminConsent?.toLowerCase() === "true" && !cb.error;
  // A decline comes back as error=consent_required with AADSTS65004 (and admin_consent=True) in the documented
  // shape (learn "v2-admin-consent", error response); access_denied is the authorize endpoint's cancel.
  const declined = cb.error === "access_denied" || /AADSTS65004\b/.test(cb.errorDescription ?? "");
  // A consent Verify already proved stays proved when the redirect merely says so again.
  const consentState = reported ? (t.consentState === "granted" ? "granted" : "reported") : declined ? "refused" : "failed";
  await db().tenant.update({
    where: { id: st.tenantId },
    data: { consentState, consentAt: new Date(), ...(reported ? { wizardStep: furthest(t.wizardStep, "verify") } : {}) },
  });
  // error_description carries Microsoft's text (AADSTS number, trace ids): kept in the audit, no secrets in it.
  await recordAudit({ actor, action: "tenant.consent", target: t.name, tenantId: st.tenantId, before: { consentState: t.consentState }, after: { consentState, ...(cb.error ? { error: cb.error, description: (cb.errorDescription ?? "").slice(0, 500) } : {}) } });
  return { tenantId: st.tenantId, reported };
}

/** Marks consent as given elsewhere ("someone else consented"): the Verify step is what proves it. */
export async function markConsentElsewhere(actor: SessionUser, tenantId: string): Promise<void> {
  requireAdmin(actor);
  const t = await db().tenant.findUnique({ where: { id: tenantId }, select: { name: true, wizardStep: true } });
  if (!t) throw notFound("That tenant");
  await db().tenant.update({ where: { id: tenantId }, data: { wizardStep: furthest(t.wizardStep, "verify") } });
  await recordAudit({ actor, action: "tenant.consent-elsewhere", target: t.name, tenantId });
}
