import "server-only";
import type { Cloud, CredentialKind } from "@/generated/prisma/enums";
import { db } from "../db";
import { decryptSecret } from "../crypto";
import { AppError, notFound } from "../errors";
import { hostsFor } from "../tenants/clouds";
import { TENANT_CREDENTIAL_PURPOSE } from "../secret-columns";

export const CREDENTIAL_PURPOSE = TENANT_CREDENTIAL_PURPOSE;

/** Everything the Graph layer needs to act for a tenant. Server-only: it holds the decrypted credential. */
export interface TenantAccess {
  id: string;
  name: string;
  cloud: Cloud;
  directoryId: string;
  clientId: string;
  loginUrl: string;
  graphUrl: string;
  credential: { kind: "secret"; secret: string } | { kind: "certificate"; privateKeyPem: string; thumbprintSha256: string; certificatePem: string };
  /** Changes whenever the credential changes, so cached MSAL clients are replaced. */
  version: string;
}

export async function loadTenantAccess(tenantId: string): Promise<TenantAccess> {
  const t = await db().tenant.findUnique({
    where: { id: tenantId },
    select: {
      id: true, name: true, cloud: true, directoryId: true, clientId: true, loginUrl: true, graphUrl: true,
      credentialKind: true, credentialCipher: true, certificatePem: true, certThumbprint: true, updatedAt: true,
    },
  });
  if (!t) throw notFound("That tenant");
  return toAccess(t);
}

export function toAccess(t: {
  id: string; name: string; cloud: Cloud; directoryId: string; clientId: string | null; loginUrl: string | null; graphUrl: string | null;
  credentialKind: CredentialKind; credentialCipher: string | null; certificatePem: string | null; certThumbprint: string | null; updatedAt: Date;
}): TenantAccess {
  if (!t.clientId) {
    throw new AppError("TENANT_NO_APP", { userMessage: `Tenant "${t.name}" has no app registration yet. Finish the setup wizard's "Register the app" step.`, status: 409 });
  }
  if (t.credentialKind === "none" || !t.credentialCipher) {
    throw new AppError("TENANT_NO_CREDENTIAL", { userMessage: `Tenant "${t.name}" has no credential yet. Add a client secret or a certificate in the setup wizard.`, status: 409 });
  }
  const secret = decryptSecret(t.credentialCipher, { purpose: CREDENTIAL_PURPOSE, rowId: t.id });
  const credential: TenantAccess["credential"] =
    t.credentialKind === "secret"
      ? { kind: "secret", secret }
      : { kind: "certificate", privateKeyPem: secret, thumbprintSha256: t.certThumbprint ?? "", certificatePem: t.certificatePem ?? "" };
  const hosts = hostsFor(t);
  return {
    id: t.id, name: t.name, cloud: t.cloud, directoryId: t.directoryId, clientId: t.clientId,
    loginUrl: hosts.loginUrl, graphUrl: hosts.graphUrl, credential, version: `${t.updatedAt.getTime()}`,
  };
}
