import "server-only";
import type { Cloud } from "@/generated/prisma/enums";
import { db } from "@/lib/db";
import { readWizardData } from "./wizard-data";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What the portal knows of a tenant's directory GUID without asking anyone: its directory id when that is a
 * GUID, else the `tid` of the app-only token Verify obtained (the token names its tenant:
 * https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference).
 */
function knownGuid(t: { directoryId: string; wizardData: unknown }): string | null {
  if (GUID.test(t.directoryId)) return t.directoryId.toLowerCase();
  const tid = readWizardData(t.wizardData).verify?.tid;
  return tid && GUID.test(tid) ? tid.toLowerCase() : null;
}

/**
 * The tenant already connected for the same directory on the same cloud, however it was typed: another
 * letter case, or its GUID where the other was entered by a domain that Verify has since resolved. The
 * unique index on (cloud, directoryId) only catches the exact same text. No network call: the Tenant step
 * is saved often (and offline), and asking the cloud about every other tenant on each save would grow with
 * the number of tenants. A domain typed for a directory already connected by its GUID is caught at Verify,
 * when the token names the tenant (sameDirectoryAsToken).
 */
export async function findSameDirectory(input: { cloud: Cloud; directoryId: string }, exceptId?: string): Promise<{ id: string; name: string } | null> {
  const others = await db().tenant.findMany({ where: { cloud: input.cloud, ...(exceptId ? { id: { not: exceptId } } : {}) }, select: { id: true, name: true, directoryId: true, wizardData: true } });
  const typed = input.directoryId.toLowerCase();
  const same = others.find((o) => o.directoryId.toLowerCase() === typed || (GUID.test(typed) && knownGuid(o) === typed));
  return same ? { id: same.id, name: same.name } : null;
}

/** Verify's check: another tenant on the same cloud whose directory is the one this token was issued in. */
export async function sameDirectoryAsToken(tenantId: string, cloud: Cloud, tid: string): Promise<{ id: string; name: string } | null> {
  return GUID.test(tid) ? findSameDirectory({ cloud, directoryId: tid }, tenantId) : null;
}
