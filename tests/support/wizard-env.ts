/**
 * What a test of the setup wizard's operations needs before importing lib/: a throwaway database and key,
 * an in-process sandbox whose endpoints the wizard reads (PORTAL_SANDBOX_ENDPOINTS_FILE), a directory seeded
 * with `users`, the admin `actor` created (its id filled in), and the outbox worker running as the portal
 * runs it (the restriction proof's test sends go through the outbox like every send).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startTestSandbox, type TestSandbox } from "m365-sandbox/helpers";
import { createTestDatabase } from "./db";

export async function startWizardEnv(opts: {
  name: string;
  domain: string;
  users: { tenant: string; userPrincipalName: string; displayName: string; mailbox?: "shared" }[];
  actor: { id: string; name: string; email: string };
}): Promise<{ sb: TestSandbox; close(): Promise<void> }> {
  const dbh = await createTestDatabase();
  process.env.DATABASE_URL = dbh.url;
  process.env.PORTAL_SECRET_KEY = randomBytes(32).toString("hex");
  const sb = await startTestSandbox();
  const file = path.join(mkdtempSync(path.join(tmpdir(), `gmp-${opts.name}-`)), "endpoints.json");
  writeFileSync(file, JSON.stringify(sb.endpoints));
  process.env.PORTAL_SANDBOX_ENDPOINTS_FILE = file;
  await sb.control("/seed", { tenants: [{ domain: opts.domain }], users: opts.users });
  const { db } = await import("@/lib/db");
  opts.actor.id = (await db().user.create({ data: { email: opts.actor.email, name: opts.actor.name, role: "admin" } })).id;
  const { startOutboxWorker } = await import("@/lib/outbox/worker");
  startOutboxWorker({ pollMs: 200 });
  return {
    sb,
    async close() {
      await startOutboxWorker().stop();
      await sb.close();
      await db().$disconnect();
      await dbh.drop();
    },
  };
}
