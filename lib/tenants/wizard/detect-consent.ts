import "server-only";
import { recordAudit } from "@/lib/audit/record";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { loadTenantAccess } from "@/lib/graph/tenant-access";
import { appToken, decodeClaims } from "@/lib/graph/tokens";
import { requireAdmin } from "./require-admin";
import { furthest } from "./wizard-data";

export interface DetectedConsent {
  /** One line for the page: why the Consent step needs nothing more. */
  reason: string;
  roles: string[];
}

/**
 * Step 4 skipped when it is already satisfied: the registration script grants admin consent itself (it
 * assigns Graph's app roles to the app's service principal — New-MgServicePrincipalAppRoleAssignment,
 * https://learn.microsoft.com/graph/api/serviceprincipal-post-approleassignments). Those assignments are
 * exactly what an app-only token's `roles` claim carries
 * (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference), so the portal asks
 * Entra ID for a fresh token as Verify does; a token with Mail.Send proves consent, whoever gave it.
 * Null when the token cannot be had yet (no credential, certificate not uploaded) or carries no Mail.Send:
 * then the admin consents in the browser as before. Application sending only: delegated consent is not in
 * an app-only token.
 */
export async function detectConsent(actor: SessionUser, tenantId: string): Promise<DetectedConsent | null> {
  requireAdmin(actor);
  const t = await db().tenant.findUnique({ where: { id: tenantId }, select: { name: true, clientId: true, credentialKind: true, useApplication: true, consentState: true, wizardStep: true } });
  if (!t?.clientId || t.credentialKind === "none" || !t.useApplication) return null;
  // Proved before (Verify or an earlier detection): no new token on every visit. On the RBAC path the
  // token later carries no Mail.Send on purpose (the tenant-wide grant was removed), which is not "no consent".
  if (t.consentState === "granted") return { reason: "Already granted: the app's own token carried Mail.Send.", roles: [] };
  let roles: string[];
  try {
    const { accessToken } = await appToken(await loadTenantAccess(tenantId), { skipCache: true });
    const claims = decodeClaims(accessToken);
    roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === "string") : [];
  } catch {
    return null;
  }
  if (!roles.includes("Mail.Send")) return null;
  await db().tenant.update({ where: { id: tenantId }, data: { consentState: "granted", consentAt: new Date(), wizardStep: furthest(t.wizardStep, "verify") } });
  await recordAudit({ actor, action: "tenant.consent-detected", target: t.name, tenantId, before: { consentState: t.consentState }, after: { consentState: "granted", roles } });
  return { reason: "Already granted by the registration script: the app's token carries Mail.Send, so there is nothing to accept.", roles };
}
