import "server-only";
import type { Cloud, CredentialKind } from "@/generated/prisma/enums";
import { decryptSecret } from "../crypto";
import { AppError } from "../errors";
import type { TenantAccess } from "../graph/tenant-access";
import { appToken } from "../graph/tokens";
import { ROTATION_CREDENTIAL_PURPOSE } from "../secret-columns";
import { hostsFor } from "../tenants/clouds";

export interface RotationTenant { id: string; name: string; cloud: Cloud; directoryId: string; clientId: string | null; loginUrl: string | null; graphUrl: string | null }
export interface RotationRow { id: string; kind: CredentialKind; credentialCipher: string; certThumbprint: string | null; certificatePem: string | null }

/**
 * TenantAccess for a credential in a rotation slot (TenantCredential), to ask Entra ID for a token with it.
 * Its own MSAL client key (`<tenant>#rotation:<row>`): trying the next or previous credential never
 * replaces the client — and the token cache — that sends use.
 */
export function rotationAccess(t: RotationTenant, row: RotationRow): TenantAccess {
  if (!t.clientId) throw new AppError("TENANT_NO_APP", { userMessage: `Tenant "${t.name}" has no app registration.`, status: 409 });
  const secret = decryptSecret(row.credentialCipher, { purpose: ROTATION_CREDENTIAL_PURPOSE, rowId: row.id });
  const hosts = hostsFor(t);
  return {
    id: `${t.id}#rotation:${row.id}`, name: t.name, cloud: t.cloud, directoryId: t.directoryId, clientId: t.clientId, loginUrl: hosts.loginUrl, graphUrl: hosts.graphUrl,
    credential: row.kind === "secret" ? { kind: "secret", secret } : { kind: "certificate", privateKeyPem: secret, thumbprintSha256: row.certThumbprint ?? "", certificatePem: row.certificatePem ?? "" },
    version: `${Date.now()}`,
  };
}

/** A fresh token request with a rotation credential (never from a cache): null when Entra ID issued one, else its refusal. */
export async function tryRotationCredential(t: RotationTenant, row: RotationRow): Promise<null | AppError> {
  try {
    await appToken(rotationAccess(t, row), { skipCache: true });
    return null;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
}

/** Entra ID's answers that mean "this credential is not (or no longer) valid": learn reference-error-codes. */
export const CREDENTIAL_REFUSALS = ["AADSTS7000215", "AADSTS7000222", "AADSTS700027", "AADSTS7000218"];
