import "server-only";
import { AppError, notFound } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/record";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { loadTenantAccess } from "@/lib/graph/tenant-access";
import { appToken, decodeClaims } from "@/lib/graph/tokens";
import { requireAdmin } from "./require-admin";
import { sameDirectoryAsToken } from "./same-directory";
import { furthest, readWizardData, toJson } from "./wizard-data";

export interface Verification {
  /** Decoded for display only: Graph tokens are never the portal's to validate. */
  claims: Record<string, unknown>;
  roles: string[];
  /** The restriction path the admin chose (Restrict step), null before one is saved. */
  path: "rbac" | "policy" | null;
  /**
   * RBAC path, and the token carries no Mail.Send: the tenant-wide grant is gone and Exchange RBAC decides
   * which mailboxes the app may use (RBAC grants are never in the token). Success, not "missing Mail.Send".
   */
  scopedByRbac: boolean;
  missingMailSend: boolean;
  /** Application Mail.Send granted tenant-wide and no restriction proved yet: it can send as every mailbox. */
  unrestricted: boolean;
  missingReadWrite: boolean;
  /** Bulk welcome runs are on but the token has no User.Read.All. */
  missingUserRead: boolean;
  /** Delivery status chosen; whether the token carries ExchangeMessageTrace.Read.All (null: not chosen). */
  messageTrace: boolean | null;
}

const SHOWN_CLAIMS = ["aud", "iss", "tid", "appid", "app_displayname", "oid", "idtyp", "roles", "iat", "exp"];

/**
 * Step 5: an app-only token with MSAL (client credentials, no cache), decoded to show what the tenant
 * really granted. A failure is thrown as an AppError already explained in words (lib/graph/explain).
 */
export async function verifyTenant(actor: SessionUser, tenantId: string): Promise<Verification> {
  requireAdmin(actor);
  const access = await loadTenantAccess(tenantId);
  const { accessToken } = await appToken(access, { skipCache: true });
  const all = decodeClaims(accessToken);
  const claims = Object.fromEntries(SHOWN_CLAIMS.filter((k) => k in all).map((k) => [k, all[k]]));
  const roles = Array.isArray(all.roles) ? all.roles.filter((r): r is string => typeof r === "string") : [];
  const t = await db().tenant.findUnique({ where: { id: tenantId }, select: { name: true, cloud: true, wizardStep: true, wizardData: true, useApplication: true, largeAttachments: true, bulkDirectory: true, messageTrace: true, directoryId: true, consentState: true } });
  if (!t) throw notFound("That tenant");
  const data = readWizardData(t.wizardData);
  const tid = typeof all.tid === "string" ? all.tid : null;
  // The token names the directory: one typed by a domain here and by its GUID elsewhere is the same tenant.
  const twin = tid ? await sameDirectoryAsToken(tenantId, t.cloud, tid) : null;
  if (twin) {
    throw new AppError("TENANT_EXISTS", {
      userMessage: `This app's token was issued in a directory already connected to the portal as "${twin.name}": continue that tenant's setup from the Setup page, and remove this one.`,
      status: 409,
    });
  }
  const now = new Date();
  // The token is the only proof of consent (the consent callback's admin_consent=True is only a claim):
  // application sending moves past Verify only once the token carries Mail.Send — except on the RBAC path
  // once the tenant-wide grant was removed: then the token has no `roles` claim at all (claims are present
  // only when they have a value: entra access-token-claims-reference) and Exchange RBAC grants Mail.Send
  // (learn exchange/permissions-exo/application-rbac); the Prove step shows it.
  const hasSend = roles.includes("Mail.Send");
  const path = data.restriction ? (data.restriction.method ?? "policy") : null;
  const scopedByRbac = t.useApplication && path === "rbac" && !hasSend;
  const proved = !t.useApplication || hasSend || scopedByRbac;
  const next = {
    ...data,
    verify: { at: now.toISOString(), tid, servicePrincipalObjectId: typeof all.oid === "string" ? all.oid : null, roles, appDisplayName: typeof all.app_displayname === "string" ? all.app_displayname : null },
  };
  await db().tenant.update({
    where: { id: tenantId },
    data: {
      lastVerifiedAt: now,
      wizardData: toJson(next),
      // A token with the roles proves consent, whoever gave it.
      ...(roles.includes("Mail.Send") && t.consentState !== "granted" ? { consentState: "granted", consentAt: now } : {}),
      ...(proved ? { wizardStep: furthest(t.wizardStep, !t.useApplication ? "done" : scopedByRbac ? "prove" : "restrict") } : {}),
    },
  });
  await recordAudit({ actor, action: "tenant.verified", target: t.name, tenantId, after: { roles, tid, ...(path ? { path } : {}) } });
  return {
    claims,
    roles,
    path,
    scopedByRbac,
    missingMailSend: t.useApplication && !hasSend && !scopedByRbac,
    unrestricted: hasSend && data.restriction?.status !== "proved",
    // On the RBAC path Mail.ReadWrite comes from the "Application Mail.ReadWrite" role assignment, not the token.
    missingReadWrite: t.useApplication && t.largeAttachments && path !== "rbac" && !roles.includes("Mail.ReadWrite"),
    // User.Read.All is an Entra ID permission on either path: Exchange RBAC does not grant directory reads.
    missingUserRead: t.useApplication && t.bulkDirectory && !roles.includes("User.Read.All"),
    // An Entra ID permission on either path, like User.Read.All.
    messageTrace: t.useApplication && t.messageTrace ? roles.includes("ExchangeMessageTrace.Read.All") : null,
  };
}
