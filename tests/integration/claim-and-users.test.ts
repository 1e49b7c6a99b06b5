import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../support/db";

let dropDb: () => Promise<void>;
let dbUrl: string;

beforeAll(async () => {
  const created = await createTestDatabase();
  dropDb = created.drop;
  dbUrl = created.url;
  process.env.DATABASE_URL = created.url;
  process.env.PORTAL_SECRET_KEY = randomBytes(32).toString("hex");
  process.env.PORTAL_DATA_DIR = await mkdtemp(path.join(os.tmpdir(), "gmp-data-"));
});

afterAll(async () => {
  const { db } = await import("@/lib/db");
  const { closeRateLimitPool } = await import("@/lib/rate-limit/store");
  await closeRateLimitPool();
  await db().$disconnect();
  await dropDb();
});

describe("first-run claim (real PostgreSQL)", () => {
  it("issues a code, refuses a wrong one, and makes exactly one admin when two people race", async () => {
    const { issueSetupCodeIfUnclaimed, hasAdmin } = await import("@/lib/auth/setup-code");
    const { claimPortal } = await import("@/lib/auth/claim-portal");
    const code = await issueSetupCodeIfUnclaimed();
    expect(code).toMatch(/^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$/);
    expect((await readFile(path.join(process.env.PORTAL_DATA_DIR!, "setup-code"), "utf8")).trim()).toBe(code);

    await expect(claimPortal({ code: "AAAA-BBBB-CCCC-DDDD", name: "Mallory", email: "m@example.com", password: "correct horse battery" })).rejects.toMatchObject({
      code: "SETUP_CODE_INVALID",
      fields: { code: expect.any(String) },
    });
    expect(await hasAdmin()).toBe(false);

    const results = await Promise.allSettled([
      claimPortal({ code: code!.toLowerCase(), name: "Ada", email: "Ada@Example.com", password: "correct horse battery" }),
      claimPortal({ code: code!, name: "Bob", email: "bob@example.com", password: "correct horse battery" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const { db } = await import("@/lib/db");
    const admins = await db().user.findMany({ where: { role: "admin" }, select: { email: true, passwordHash: true } });
    expect(admins).toHaveLength(1);
    expect(admins[0]!.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await issueSetupCodeIfUnclaimed()).toBeNull();
    const audit = await db().auditEvent.findMany({ where: { action: "portal.claimed" } });
    expect(audit).toHaveLength(1);
  });

  it("verifies the password with argon2 and refuses a wrong one", async () => {
    const { db } = await import("@/lib/db");
    const { verifyPassword } = await import("@/lib/auth/password");
    const admin = await db().user.findFirstOrThrow({ where: { role: "admin" }, select: { passwordHash: true } });
    expect(await verifyPassword(admin.passwordHash, "correct horse battery")).toBe(true);
    expect(await verifyPassword(admin.passwordHash, "correct horse batterY")).toBe(false);
    expect(await verifyPassword(null, "anything")).toBe(false);
  });

  it("never demotes or disables the last enabled admin", async () => {
    const { db } = await import("@/lib/db");
    const { updateUser } = await import("@/lib/users/update-user");
    const admin = await db().user.findFirstOrThrow({ where: { role: "admin" }, select: { id: true, name: true, email: true, role: true, tenantId: true } });
    await expect(updateUser(admin, { userId: admin.id, role: "sender" })).rejects.toMatchObject({ code: "LAST_ADMIN" });
    await expect(updateUser(admin, { userId: admin.id, disabled: true })).rejects.toMatchObject({ code: "LAST_ADMIN" });
    const other = await db().user.create({ data: { email: "carol@example.com", role: "sender" }, select: { id: true } });
    await updateUser(admin, { userId: other.id, role: "admin" });
    await updateUser(admin, { userId: admin.id, role: "auditor" });
    expect((await db().user.findUniqueOrThrow({ where: { id: admin.id } })).role).toBe("auditor");
    const sender = { ...admin, role: "sender" as const };
    await expect(updateUser(sender, { userId: other.id, role: "sender" })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("declarative tenants file", () => {
  it("stores the client secret encrypted, never in plain text, and is idempotent", async () => {
    const { provisionTenantsFromFile } = await import("@/lib/tenants/provision-from-file");
    const file = path.join(process.env.PORTAL_DATA_DIR!, "tenants.json");
    const secret = `Xy8Q~${randomBytes(12).toString("hex")}`;
    const spec = {
      tenants: [{ name: "Contoso", cloud: "global", directoryId: "11111111-2222-3333-4444-555555555555", clientId: "66666666-7777-8888-9999-000000000000", clientSecret: secret, senders: ["HR@contoso.com"] }],
    };
    await writeFile(file, JSON.stringify(spec));
    expect(await provisionTenantsFromFile(file)).toBe(1);
    expect(await provisionTenantsFromFile(file)).toBe(1);
    const client = new pg.Client({ connectionString: dbUrl });
    await client.connect();
    const dump = await client.query(`select t.*, s.address from "Tenant" t join "SenderMailbox" s on s."tenantId" = t.id`);
    await client.end();
    expect(dump.rows).toHaveLength(1);
    expect(JSON.stringify(dump.rows)).not.toContain(secret);
    expect(dump.rows[0].address).toBe("hr@contoso.com");
    const { decryptSecret } = await import("@/lib/crypto");
    expect(decryptSecret(dump.rows[0].credentialCipher, { purpose: "tenant-credential", rowId: dump.rows[0].id })).toBe(secret);
  });

  it("names the bad field in a broken file", async () => {
    const { provisionTenantsFromFile } = await import("@/lib/tenants/provision-from-file");
    const file = path.join(process.env.PORTAL_DATA_DIR!, "bad.json");
    await writeFile(file, JSON.stringify({ tenants: [{ name: "X", cloud: "mars", directoryId: "d", clientId: "not-a-guid" }] }));
    await expect(provisionTenantsFromFile(file)).rejects.toThrow(/tenants\.0\.cloud.*tenants\.0\.clientId|tenants\.0\.clientId.*tenants\.0\.cloud/);
  });
});
