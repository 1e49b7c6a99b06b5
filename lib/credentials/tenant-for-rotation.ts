import "server-only";
import { db } from "../db";
import { notFound } from "../errors";

/** The tenant and its rotation slots, with credential material (server-only callers decrypt what they need). */
export async function tenantForRotation(tenantId: string) {
  const t = await db().tenant.findUnique({
    where: { id: tenantId },
    select: {
      id: true, name: true, cloud: true, directoryId: true, clientId: true, loginUrl: true, graphUrl: true, credentialKind: true, credentialCipher: true,
      certificatePem: true, certThumbprint: true, credentialExpires: true, credentialKeyId: true, source: true,
      rotationCredentials: true,
    },
  });
  if (!t) throw notFound("That tenant");
  const next = t.rotationCredentials.find((c) => c.slot === "next") ?? null;
  const previous = t.rotationCredentials.find((c) => c.slot === "previous") ?? null;
  return { ...t, next, previous };
}

export type RotationState = Awaited<ReturnType<typeof tenantForRotation>>;

/** Where the rotation stands: add a new credential, verify it, switch to it, remove the old one. */
export function rotationStep(t: Pick<RotationState, "next" | "previous">): "add" | "verify" | "switch" | "remove" {
  if (t.previous) return "remove";
  if (!t.next) return "add";
  return t.next.verifiedAt ? "switch" : "verify";
}

/**
 * A tenant declared in PORTAL_TENANTS_FILE gets the file's client secret written back at every start
 * (lib/tenants/provision-from-file.ts): a rotation in the portal would be undone by the next restart —
 * with a secret the rotation removed from Entra ID. Such tenants rotate by editing the file.
 */
export function declaredInFile(t: { source: string }): boolean {
  return t.source === "config";
}
