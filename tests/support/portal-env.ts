/**
 * What an integration test of the portal needs before importing lib/: a throwaway database, a data folder
 * and a secret key in the environment (env() reads them once), an in-process sandbox, and the sandbox's
 * demo tenant connected as a portal tenant with its client secret encrypted.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startTestSandbox, type TestSandbox } from "m365-sandbox/helpers";
import { createTestDatabase } from "./db";

export interface PortalEnv {
  sb: TestSandbox;
  dataDir: string;
  tenantId: string;
  close(): Promise<void>;
}

export async function startPortalEnv(
  name: string,
  opts: { senders?: (e: TestSandbox["endpoints"]) => string[]; redirectUris?: string[]; secretKey?: string; previousSecretKeys?: string; databaseUrl?: (url: string) => string; env?: (sb: TestSandbox) => Record<string, string> } = {},
): Promise<PortalEnv> {
  const dbh = await createTestDatabase();
  const dataDir = mkdtempSync(path.join(tmpdir(), `gmp-${name}-`));
  // `databaseUrl`: the portal reaches the database another way (e.g. through a proxy a test can cut).
  process.env.DATABASE_URL = opts.databaseUrl ? opts.databaseUrl(dbh.url) : dbh.url;
  process.env.PORTAL_SECRET_KEY = opts.secretKey ?? randomBytes(32).toString("hex");
  if (opts.previousSecretKeys) process.env.PORTAL_PREVIOUS_SECRET_KEYS = opts.previousSecretKeys;
  else delete process.env.PORTAL_PREVIOUS_SECRET_KEYS;
  process.env.PORTAL_DATA_DIR = dataDir;
  // The portal's next-auth callback (any port: Entra ignores the port of http://localhost redirect URIs).
  const sb = await startTestSandbox({ redirectUris: opts.redirectUris ?? ["http://localhost:3000/api/auth/callback/microsoft"] });
  // Settings that name the sandbox (its clock URL, say), before anything reads the environment.
  Object.assign(process.env, opts.env?.(sb) ?? {});
  const { db } = await import("@/lib/db");
  const { encryptSecret } = await import("@/lib/crypto");
  const e = sb.endpoints;
  // The secret is bound to the tenant's id (lib/crypto.ts): create the row, then write the secret.
  const t = await db().$transaction(async (tx) => {
    const row = await tx.tenant.create({
      data: {
        name: "Sandbox", cloud: "sandbox", directoryId: e.tenant.id, loginUrl: e.loginUrl, graphUrl: e.graphUrl, clientId: e.app.clientId,
        useDelegated: true, senders: { create: (opts.senders?.(e) ?? []).map((address) => ({ address })) },
      },
      select: { id: true },
    });
    const credentialCipher = encryptSecret(e.app.clientSecret, { purpose: "tenant-credential", rowId: row.id });
    return tx.tenant.update({ where: { id: row.id }, data: { credentialKind: "secret", credentialCipher }, select: { id: true } });
  });
  return {
    sb,
    dataDir,
    tenantId: t.id,
    async close() {
      await sb.close();
      await db().$disconnect();
      await dbh.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
