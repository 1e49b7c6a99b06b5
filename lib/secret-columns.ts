import "server-only";

/**
 * Every encrypted column in the database, with the purpose bound into each value's AAD (lib/crypto.ts;
 * the other half of the binding is the row's `id`). `npm run rotate-key` re-encrypts exactly these, and
 * tests/unit/crypto.test.ts fails when prisma/schema.prisma gains a `…Cipher` column missing here.
 */
export const TENANT_CREDENTIAL_PURPOSE = "tenant-credential";
export const REFRESH_TOKEN_PURPOSE = "refresh-token";
/** A credential being rotated in or out (TenantCredential, lib/credentials). */
export const ROTATION_CREDENTIAL_PURPOSE = "tenant-rotation-credential";

export interface EncryptedColumn {
  table: string;
  column: string;
  purpose: string;
}

export const ENCRYPTED_COLUMNS: readonly EncryptedColumn[] = [
  { table: "Tenant", column: "credentialCipher", purpose: TENANT_CREDENTIAL_PURPOSE },
  { table: "Account", column: "refreshTokenCipher", purpose: REFRESH_TOKEN_PURPOSE },
  { table: "TenantCredential", column: "credentialCipher", purpose: ROTATION_CREDENTIAL_PURPOSE },
];
