import { spawn } from "node:child_process";
import { createCipheriv, randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { TestSandbox } from "m365-sandbox/helpers";
import { createTestDatabase } from "../support/db";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
import type * as CryptoModule from "@/lib/crypto";

// `npm run rotate-key` (scripts/rotate-key.ts, run as a real child process) against a real database with
// tenants and accounts encrypted under key A, run under key B with A as previous: interrupted part-way
// and run again, racing a writer, and refusing values no configured key opens. The portal in this process
// runs with PORTAL_SECRET_KEY=B, PORTAL_PREVIOUS_SECRET_KEYS=A, then with B alone, and sends through the
// sandbox tenant with the rotated secret.
const ROOT = path.resolve(import.meta.dirname, "../..");
const A = randomBytes(32);
const B = randomBytes(32);
let env: PortalEnv;
let sb: TestSandbox;
let tenantId: string;
let crypto: typeof CryptoModule;
const actor = { id: "", name: "Ada", email: "ada@example.com", role: "admin" as const, tenantId: null as string | null };

beforeAll(async () => {
  env = await startPortalEnv("rotate", { senders: (e) => [e.mailboxes.shared], secretKey: B.toString("hex"), previousSecretKeys: A.toString("hex") });
  sb = env.sb;
  tenantId = env.tenantId;
  crypto = await import("@/lib/crypto");
  const { db } = await import("@/lib/db");
  actor.id = (await db().user.create({ data: { email: actor.email, name: actor.name, role: "admin" } })).id;
  for (const m of await db().senderMailbox.findMany({ where: { tenantId } })) await db().senderGrant.create({ data: { mailboxId: m.id, userId: actor.id } });
});

afterAll(async () => env?.close());

/** A value as the portal wrote it before key ids: `v1.<iv>.<tag>.<ct>`, raw key, purpose-only AAD. */
function legacyV1(plaintext: string, purpose: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(purpose, "utf8"));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ct.toString("base64url")].join(".");
}

/**
 * The real entry, as an operator runs it: `npm run rotate-key -- …`, or `npx tsx scripts/rotate-key.ts …`
 * (which runs itself again under the react-server condition); resolves with its exit code and output.
 */
function rotateKey(args: string[], vars: Record<string, string | undefined>, via: "npm" | "npx" = "npm"): Promise<{ code: number | null; out: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: process.env.DATABASE_URL, ...vars };
  delete childEnv.GMP_ROTATE_KEY_CHILD;
  for (const [k, v] of Object.entries(vars)) if (v === undefined) delete childEnv[k];
  return new Promise((resolve, reject) => {
    const child = spawn(via, via === "npx" ? ["--no-install", "tsx", "scripts/rotate-key.ts", ...args] : ["run", "--silent", "rotate-key", "--", ...args], { cwd: ROOT, env: childEnv });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out }));
  });
}
const underAB = { PORTAL_SECRET_KEY: B.toString("hex"), PORTAL_PREVIOUS_SECRET_KEYS: A.toString("hex") };

async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[] = [], url = process.env.DATABASE_URL!): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}

interface Held { table: "Tenant" | "Account"; purpose: string; id: string; value: string }

/** Every encrypted value in the database. */
async function allValues(url?: string): Promise<Held[]> {
  const t = await sql<{ id: string; value: string }>(`SELECT id, "credentialCipher" AS value FROM "Tenant" WHERE "credentialCipher" IS NOT NULL ORDER BY id`, [], url);
  const a = await sql<{ id: string; value: string }>(`SELECT id, "refreshTokenCipher" AS value FROM "Account" WHERE "refreshTokenCipher" IS NOT NULL ORDER BY id`, [], url);
  return [
    ...t.map((r) => ({ table: "Tenant" as const, purpose: "tenant-credential", id: r.id, value: r.value })),
    ...a.map((r) => ({ table: "Account" as const, purpose: "refresh-token", id: r.id, value: r.value })),
  ];
}

/** Tenants and accounts as an install under key A wrote them: mostly v2, one of each still v1. */
async function seedUnderA(): Promise<Map<string, string>> {
  const { db } = await import("@/lib/db");
  const plain = new Map<string, string>();
  const seal = (text: string, purpose: string, id: string, v1: boolean) => (v1 ? legacyV1(text, purpose, A) : crypto.encryptSecret(text, { purpose, rowId: id }, { current: A }));
  // The sandbox tenant, whose secret sends mail for real.
  const sandboxSecret = sb.endpoints.app.clientSecret;
  await db().tenant.update({ where: { id: tenantId }, data: { credentialCipher: seal(sandboxSecret, "tenant-credential", tenantId, false) } });
  plain.set(`Tenant:${tenantId}`, sandboxSecret);
  for (let i = 0; i < 5; i++) {
    const t = await db().tenant.create({ data: { name: `Tenant ${i}`, cloud: "global", directoryId: `dir-${i}-${randomBytes(3).toString("hex")}`, clientId: "66666666-7777-8888-9999-000000000000", credentialKind: "secret" }, select: { id: true } });
    const secret = `secret-${i}-${randomBytes(8).toString("hex")}`;
    await db().tenant.update({ where: { id: t.id }, data: { credentialCipher: seal(secret, "tenant-credential", t.id, i === 4) } });
    plain.set(`Tenant:${t.id}`, secret);
  }
  const person = await db().user.create({ data: { email: `p-${randomBytes(3).toString("hex")}@contoso.com`, name: "Person", role: "sender" } });
  for (let i = 0; i < 5; i++) {
    const a = await db().account.create({ data: { userId: person.id, provider: `microsoft:t${i}`, providerAccountId: randomBytes(6).toString("hex") }, select: { id: true } });
    const token = `rt-${i}-${randomBytes(12).toString("hex")}`;
    await db().account.update({ where: { id: a.id }, data: { refreshTokenCipher: seal(token, "refresh-token", a.id, i === 4) } });
    plain.set(`Account:${a.id}`, token);
  }
  return plain;
}

async function sendAs(subject: string) {
  const { queueSend } = await import("@/lib/sends/queue-send");
  const { claimSends } = await import("@/lib/outbox/claim");
  const { processSend } = await import("@/lib/outbox/process-send");
  const { outboxOptions } = await import("@/lib/outbox/options");
  const { getSendStatus } = await import("@/lib/sends/send-status");
  const e = sb.endpoints;
  const { id } = await queueSend({ actor, tenantId, mode: "app", from: e.mailboxes.shared, to: e.mailboxes.allowed, subject, body: "<p>Hello</p>" });
  const o = outboxOptions({ leaseMs: 30_000, timeoutMs: 20_000 });
  for (const claimed of await claimSends("w-rotate", { limit: 5, leaseMs: o.leaseMs, pace: o.pace, only: id })) await processSend(claimed.id, claimed.lease, o);
  return getSendStatus(actor, id);
}

/** Resolves once some backend of this database waits for a row lock on an UPDATE of "Tenant". */
async function untilBlockedOnTenantUpdate(): Promise<void> {
  for (;;) {
    const [r] = await sql<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'UPDATE "Tenant"%'`,
    );
    if (Number(r!.n) > 0) return;
    await new Promise((res) => setImmediate(res));
  }
}

describe("npm run rotate-key", () => {
  it("re-encrypts every value under the new key, resumably, never overwriting a concurrent writer, and the portal sends with the new key alone", async () => {
    const plain = await seedUnderA();
    const kidA = crypto.keyId(A);
    const kidB = crypto.keyId(B);
    const before = await allValues();
    expect(before.length).toBe(plain.size);
    expect(before.every((v) => v.value.startsWith(`v2.${kidA}.`) || v.value.startsWith("v1."))).toBe(true);
    expect(before.filter((v) => v.value.startsWith("v1."))).toHaveLength(2);

    // 1. Interrupted part-way: --limit stops after four values, as a crash after the second batch would.
    const partial = await rotateKey(["--batch-size", "2", "--limit", "4"], underAB);
    expect(partial.out).toMatch(/stopped after --limit 4: run again/);
    expect(partial.code).toBe(0);
    const mid = await allValues();
    expect(mid.filter((v) => v.value.startsWith(`v2.${kidB}.`))).toHaveLength(4);
    // Mixed state: the portal (B current, A previous) reads every value, old and new.
    for (const v of mid) expect(crypto.decryptSecret(v.value, { purpose: v.purpose, rowId: v.id })).toBe(plain.get(`${v.table}:${v.id}`));

    // 2. Run again while the portal rewrites a not-yet-rotated tenant secret (a transaction holding the row):
    //    the script's compare-and-swap finds the value changed and leaves the writer's value alone.
    const target = mid.filter((v) => v.table === "Tenant" && !v.value.startsWith(`v2.${kidB}.`)).at(-1)!;
    const newer = `rewritten-${randomBytes(6).toString("hex")}`;
    const writersValue = crypto.encryptSecret(newer, { purpose: "tenant-credential", rowId: target.id });
    const writer = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await writer.connect();
    let rest: { code: number | null; out: string };
    try {
      await writer.query("BEGIN");
      await writer.query(`UPDATE "Tenant" SET "credentialCipher" = $1 WHERE id = $2`, [writersValue, target.id]);
      const running = rotateKey(["--batch-size", "2"], underAB);
      await untilBlockedOnTenantUpdate();
      await writer.query("COMMIT");
      rest = await running;
    } finally {
      await writer.end();
    }
    expect(rest.out).toMatch(/1 changed by the portal meanwhile/);
    expect(rest.out).toMatch(/0 unreadable; 0 not under key/);
    expect(rest.out).toMatch(/Remove PORTAL_PREVIOUS_SECRET_KEYS/);
    expect(rest.out).toMatch(/everyone signs in again/);
    expect(rest.code).toBe(0);
    plain.set(`Tenant:${target.id}`, newer);

    // Every value is v2 under B, and opens with B alone to the original plaintext; the writer's value survived.
    const after = await allValues();
    expect(after).toHaveLength(plain.size);
    for (const v of after) {
      expect(v.value.startsWith(`v2.${kidB}.`), `${v.table} ${v.id}`).toBe(true);
      expect(crypto.decryptSecret(v.value, { purpose: v.purpose, rowId: v.id }, { current: B })).toBe(plain.get(`${v.table}:${v.id}`));
    }
    expect(after.find((v) => v.id === target.id)?.value).toBe(writersValue);
    for (const text of plain.values()) expect(rest.out + partial.out).not.toContain(text);

    // 3. Nothing left to do: a third run rewrites nothing.
    const again = await rotateKey([], underAB);
    expect(again.out).toMatch(/0 value\(s\) re-encrypted/);
    expect(again.code).toBe(0);
    expect((await allValues()).map((v) => v.value)).toEqual(after.map((v) => v.value));

    // 4. The portal without the old key: it still sends through the sandbox tenant with the rotated secret.
    delete process.env.PORTAL_PREVIOUS_SECRET_KEYS;
    vi.resetModules(); // env() is read once per module instance
    try {
      const fresh = await import("@/lib/crypto");
      expect(fresh.configuredKeys().previous).toEqual([]);
      const subject = `rotated ${randomBytes(3).toString("hex")}`;
      const s = await sendAs(subject);
      expect(s.status).toBe("accepted");
      const msgs = await sb.control<{ subject: string }[]>(`/messages?to=${encodeURIComponent(sb.endpoints.mailboxes.allowed)}&subject=${encodeURIComponent(subject)}`);
      expect(msgs.json.filter((m) => m.subject === subject)).toHaveLength(1);
    } finally {
      process.env.PORTAL_PREVIOUS_SECRET_KEYS = A.toString("hex");
      vi.resetModules();
    }
  }, 240_000);

  it("a secret copied from another tenant's row is refused with SECRET_UNREADABLE (the send fails with the reason), and rotate-key exits 1 naming the row", async () => {
    const { db } = await import("@/lib/db");
    const other = await db().tenant.create({ data: { name: "Other", cloud: "global", directoryId: `other-${randomBytes(3).toString("hex")}`, clientId: "66666666-7777-8888-9999-000000000000", credentialKind: "secret" }, select: { id: true } });
    const othersSecret = `others-${randomBytes(8).toString("hex")}`;
    await db().tenant.update({ where: { id: other.id }, data: { credentialCipher: crypto.encryptSecret(othersSecret, { purpose: "tenant-credential", rowId: other.id }, { current: A }) } });
    const [original] = await sql<{ c: string }>(`SELECT "credentialCipher" AS c FROM "Tenant" WHERE id = $1`, [tenantId]);
    // The attacker with write access to the database, before the rotation: the other tenant's ciphertext
    // (under the old key A) into the sandbox tenant's row.
    await sql(`UPDATE "Tenant" SET "credentialCipher" = (SELECT "credentialCipher" FROM "Tenant" WHERE id = $1) WHERE id = $2`, [other.id, tenantId]);
    try {
      const { loadTenantAccess } = await import("@/lib/graph/tenant-access");
      await expect(loadTenantAccess(tenantId)).rejects.toMatchObject({ code: "SECRET_UNREADABLE", userMessage: expect.stringMatching(/could not be decrypted: it was altered or copied from another record/) });
      // Microsoft sign-in for that tenant is off; the auth route (local sign-in, sessions) still answers.
      const { authOptionsForRequest } = await import("@/lib/auth/options");
      expect((await authOptionsForRequest(tenantId)).providers.map((p) => p.id)).toEqual(["credentials"]);
      const s = await sendAs(`swapped ${randomBytes(3).toString("hex")}`);
      expect(s.status).toBe("failed");
      expect(s.errorCode).toBe("SECRET_UNREADABLE");
      expect(s.attempts).toEqual([expect.objectContaining({ operation: "token", graphCode: "SECRET_UNREADABLE", message: expect.stringMatching(/copied from another record/) })]);

      const r = await rotateKey([], underAB);
      expect(r.code).toBe(1);
      expect(r.out).toContain(`cannot decrypt Tenant.credentialCipher of row ${tenantId} with any configured key`);
      expect(r.out).toMatch(/FAILED: add the key those values were written with to PORTAL_PREVIOUS_SECRET_KEYS/);
      expect(r.out).not.toContain(othersSecret);
      expect(r.out).not.toContain(sb.endpoints.app.clientSecret);
    } finally {
      await sql(`UPDATE "Tenant" SET "credentialCipher" = $1 WHERE id = $2`, [original!.c, tenantId]);
    }
  }, 240_000);

  it("demo mode (`npm start`'s key file): --new-key makes a new key, keeps the old one until every value is rotated, then drops it", async () => {
    // Its own database and data dir, so the portal of the tests above is untouched.
    const dbh = await createTestDatabase();
    const dataDir = mkdtempSync(path.join(tmpdir(), "gmp-rotate-demo-"));
    try {
      const old = randomBytes(32);
      writeFileSync(path.join(dataDir, "secret.key"), `${old.toString("hex")}\n`, { mode: 0o600 });
      const ids = ["t1", "t2", "t3"];
      for (const id of ids) {
        const value = id === "t3" ? legacyV1(`demo ${id}`, "tenant-credential", old) : crypto.encryptSecret(`demo ${id}`, { purpose: "tenant-credential", rowId: id }, { current: old });
        await sql(`INSERT INTO "Tenant"(id, name, "directoryId", "credentialKind", "credentialCipher", "updatedAt") VALUES ($1, $1, $1, 'secret', $2, now())`, [id, value], dbh.url);
      }
      const vars = { DATABASE_URL: dbh.url, PORTAL_DATA_DIR: dataDir, PORTAL_SECRET_KEY: undefined, PORTAL_PREVIOUS_SECRET_KEYS: undefined };

      // Partial first: the new key is in place, the old one kept beside it.
      const partial = await rotateKey(["--new-key", "--limit", "1"], vars, "npx");
      expect(partial.code).toBe(0);
      const newKey = Buffer.from(readFileSync(path.join(dataDir, "secret.key"), "utf8").trim(), "hex");
      expect(newKey.equals(old)).toBe(false);
      expect(readFileSync(path.join(dataDir, "previous-secret.keys"), "utf8").trim()).toBe(old.toString("hex"));
      // What `npm start` hands the portal meanwhile (scripts/start/secret-key.ts).
      const { demoPreviousKeys } = await import("../../scripts/start/secret-key");
      expect(await demoPreviousKeys(dataDir)).toBe(old.toString("hex"));

      // Run again without --new-key: the rest is rotated and the old key dropped.
      const rest = await rotateKey([], vars);
      expect(rest.out).toMatch(/removed .*previous-secret\.keys/);
      expect(rest.code).toBe(0);
      expect(existsSync(path.join(dataDir, "previous-secret.keys"))).toBe(false);
      expect(await demoPreviousKeys(dataDir)).toBeUndefined();
      const rows = await sql<{ id: string; c: string }>(`SELECT id, "credentialCipher" AS c FROM "Tenant" ORDER BY id`, [], dbh.url);
      expect(rows.map((r) => r.id)).toEqual(ids);
      for (const r of rows) {
        expect(crypto.storedKeyId(r.c)).toBe(crypto.keyId(newKey));
        expect(crypto.decryptSecret(r.c, { purpose: "tenant-credential", rowId: r.id }, { current: newKey })).toBe(`demo ${r.id}`);
      }

      // --new-key is refused when the key comes from the environment.
      const refused = await rotateKey(["--new-key"], { DATABASE_URL: dbh.url, PORTAL_DATA_DIR: dataDir, PORTAL_SECRET_KEY: newKey.toString("hex") });
      expect(refused.code).toBe(2);
      expect(refused.out).toMatch(/--new-key is for the demo key/);
    } finally {
      await dbh.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});

describe("secrets are bound to their row when written", () => {
  it("a Microsoft sign-in's refresh token: a new account row, a repeat sign-in, and five sign-ins racing to create the same row", async () => {
    const { db } = await import("@/lib/db");
    const { storeRefreshToken } = await import("@/lib/auth/store-refresh-token");
    const person = await db().user.create({ data: { email: `r-${randomBytes(3).toString("hex")}@contoso.com`, name: "Racer", role: "sender" } });
    const stored = async (providerAccountId: string) => {
      const rows = await db().account.findMany({ where: { providerAccountId }, select: { id: true, refreshTokenCipher: true, scope: true } });
      return rows.map((r) => ({ id: r.id, scope: r.scope, token: crypto.decryptSecret(r.refreshTokenCipher!, { purpose: "refresh-token", rowId: r.id }) }));
    };

    const oid = randomBytes(8).toString("hex");
    await storeRefreshToken({ userId: person.id, provider: `microsoft:${tenantId}`, providerAccountId: oid, refreshToken: "first", scope: "openid" });
    const [created] = await stored(oid);
    expect(created).toMatchObject({ token: "first", scope: "openid" });
    await storeRefreshToken({ userId: person.id, provider: `microsoft:${tenantId}`, providerAccountId: oid, refreshToken: "second", scope: "openid Mail.Send" });
    expect(await stored(oid)).toEqual([{ id: created!.id, token: "second", scope: "openid Mail.Send" }]);

    const raced = randomBytes(8).toString("hex");
    const tokens = ["t0", "t1", "t2", "t3", "t4"];
    await Promise.all(tokens.map((t) => storeRefreshToken({ userId: person.id, provider: `microsoft:${tenantId}`, providerAccountId: raced, refreshToken: t })));
    const rows = await stored(raced);
    expect(rows).toHaveLength(1);
    expect(tokens).toContain(rows[0]!.token);
  });
});
