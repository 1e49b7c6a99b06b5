/**
 * Prints a tenant's decrypted credential (`{"kind":"secret","secret":…}` or
 * `{"kind":"certificate","privateKeyPem":…}`) from the end-to-end database, through the portal's own
 * loadTenantAccess, so the secret scan (e2e/secret-scan.spec.ts) knows which private key to look for.
 * Test use only: local databases only, and it reads the demo key from the e2e data dir.
 *
 *   node --conditions=react-server --import tsx scripts/e2e-tenant-credential.ts <tenantId>
 *
 * (react-server: lib modules import "server-only", which only loads under that condition.)
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { E2E } from "../e2e/env";
import { assertLocal } from "../tests/support/db";

async function main(): Promise<void> {
  const tenantId = process.argv[2];
  if (!tenantId) throw new Error("usage: e2e-tenant-credential.ts <tenantId>");
  assertLocal(E2E.databaseUrl);
  process.env.DATABASE_URL = E2E.databaseUrl;
  process.env.PORTAL_DATA_DIR = E2E.dataDir;
  process.env.PORTAL_SECRET_KEY = readFileSync(path.join(E2E.dataDir, "secret.key"), "utf8").trim();
  const { loadTenantAccess } = await import("../lib/graph/tenant-access");
  const { db } = await import("../lib/db");
  try {
    process.stdout.write(`${JSON.stringify((await loadTenantAccess(tenantId)).credential)}\n`);
  } finally {
    await db().$disconnect();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
