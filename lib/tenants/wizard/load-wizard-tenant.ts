import "server-only";
import { db } from "@/lib/db";
import { notFound } from "@/lib/errors";
import type { SessionUser } from "@/lib/auth/session";
import { requireAdmin } from "./require-admin";
import { readWizardData } from "./wizard-data";

/** The tenant as the wizard shows it: a view object without credential material. Admins only. */
export async function loadWizardTenant(actor: SessionUser, tenantId: string) {
  requireAdmin(actor);
  const t = await db().tenant.findUnique({
    where: { id: tenantId },
    select: {
      id: true, name: true, cloud: true, directoryId: true, loginUrl: true, graphUrl: true, clientId: true, useApplication: true, useDelegated: true,
      largeAttachments: true, bulkDirectory: true, messageTrace: true, credentialKind: true, certificatePem: true, certThumbprint: true, credentialExpires: true, consentState: true,
      consentAt: true, lastVerifiedAt: true, wizardStep: true, wizardData: true, source: true, updatedAt: true,
      senders: { select: { address: true, kind: true, allowed: true, policyStatus: true, lastCheckedAt: true }, orderBy: { address: "asc" } },
    },
  });
  if (!t) throw notFound("That tenant");
  const { wizardData, ...rest } = t;
  return { ...rest, data: readWizardData(wizardData) };
}

export type WizardTenant = Awaited<ReturnType<typeof loadWizardTenant>>;
