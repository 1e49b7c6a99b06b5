import { createCipheriv, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it, beforeAll } from "vitest";
import { expectSealed } from "../support/sealed";

beforeAll(() => {
  process.env.PORTAL_SECRET_KEY = randomBytes(32).toString("hex");
  process.env.DATABASE_URL ??= "postgresql://postgres@127.0.0.1:5432/postgres";
});

const tenantA = { purpose: "tenant-credential", rowId: "tenant-a" };
const tenantB = { purpose: "tenant-credential", rowId: "tenant-b" };

/** A value as the portal wrote it before key ids: `v1.<iv>.<tag>.<ct>`, raw key, purpose-only AAD. */
function legacyV1(plaintext: string, purpose: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(purpose, "utf8"));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ct.toString("base64url")].join(".");
}

describe("encryptSecret / decryptSecret (AES-256-GCM, v2)", () => {
  it("round-trips, writes v2 with the current key's id, and never stores the plaintext", async () => {
    const { encryptSecret, decryptSecret, keyId, configuredKeys, storedKeyId } = await import("@/lib/crypto");
    const secret = "Xy8Q~client-secret-value~with.symbols";
    const stored = encryptSecret(secret, tenantA);
    const parts = stored.split(".");
    expect(parts).toHaveLength(5);
    expect(parts[0]).toBe("v2");
    expect(parts[1]).toBe(keyId(configuredKeys().current));
    expect(storedKeyId(stored)).toBe(parts[1]);
    expectSealed(stored, secret, (key) => decryptSecret(stored, tenantA, { current: key }));
    expect(decryptSecret(stored, tenantA)).toBe(secret);
  });

  it("uses a fresh IV: the same secret encrypts differently each time", async () => {
    const { encryptSecret } = await import("@/lib/crypto");
    const [a, b] = [encryptSecret("same", tenantA), encryptSecret("same", tenantA)];
    expect(a.split(".")[2]).not.toBe(b.split(".")[2]);
    expect(a).not.toBe(b);
  });

  it("detects tampering with the IV, the tag or the ciphertext", async () => {
    const { encryptSecret, decryptSecret } = await import("@/lib/crypto");
    const stored = encryptSecret("refresh-token-value", { purpose: "refresh-token", rowId: "acct-1" });
    const parts = stored.split(".");
    for (const index of [2, 3, 4]) {
      const copy = [...parts];
      const bytes = Buffer.from(copy[index]!, "base64url");
      bytes[0] = bytes[0]! ^ 0x01;
      copy[index] = bytes.toString("base64url");
      expect(() => decryptSecret(copy.join("."), { purpose: "refresh-token", rowId: "acct-1" }), `part ${index}`).toThrow(/could not be decrypted/);
    }
  });

  it("binds the owning row: a ciphertext copied to another tenant's or account's row does not decrypt", async () => {
    const { encryptSecret, decryptSecret } = await import("@/lib/crypto");
    const stored = encryptSecret("tenant A's secret", tenantA);
    expect(() => decryptSecret(stored, tenantB)).toThrow(expect.objectContaining({ code: "SECRET_UNREADABLE", userMessage: expect.stringMatching(/copied from another record/) }));
    const token = encryptSecret("rt", { purpose: "refresh-token", rowId: "acct-1" });
    expect(() => decryptSecret(token, { purpose: "refresh-token", rowId: "acct-2" })).toThrow(/could not be decrypted/);
    expect(decryptSecret(token, { purpose: "refresh-token", rowId: "acct-1" })).toBe("rt");
  });

  it("binds the purpose: a ciphertext cannot be reused in another column of the same row", async () => {
    const { encryptSecret, decryptSecret } = await import("@/lib/crypto");
    const stored = encryptSecret("secret", { purpose: "refresh-token", rowId: "same-id" });
    expect(() => decryptSecret(stored, { purpose: "tenant-credential", rowId: "same-id" })).toThrow(/could not be decrypted/);
  });

  it("the key id picks the key: a value under a previous key reads while that key is configured, and not after", async () => {
    const { encryptSecret, decryptSecret, keyId } = await import("@/lib/crypto");
    const [a, b, c] = [randomBytes(32), randomBytes(32), randomBytes(32)];
    expect(new Set([keyId(a), keyId(b), keyId(c)]).size).toBe(3);
    expect(keyId(a)).toBe(keyId(Buffer.from(a)));
    const underA = encryptSecret("old", tenantA, { current: a });
    expect(underA.split(".")[1]).toBe(keyId(a));
    expect(decryptSecret(underA, tenantA, { current: b, previous: [c, a] })).toBe("old");
    expect(() => decryptSecret(underA, tenantA, { current: b, previous: [c] })).toThrow(
      expect.objectContaining({ code: "SECRET_UNREADABLE", userMessage: expect.stringContaining(`key id ${keyId(a)}`) }),
    );
    // Writes always use the current key, whatever the previous keys are.
    expect(encryptSecret("new", tenantA, { current: b, previous: [a] }).split(".")[1]).toBe(keyId(b));
    // A kid rewritten to name another configured key: that key's AES key and AAD both differ, so it fails.
    const forged = underA.split(".");
    forged[1] = keyId(b);
    expect(() => decryptSecret(forged.join("."), tenantA, { current: b, previous: [a] })).toThrow(/could not be decrypted/);
  });

  it("still reads legacy v1 values (purpose-only binding, no key id) under the current or a previous key", async () => {
    const { decryptSecret } = await import("@/lib/crypto");
    const [a, b] = [randomBytes(32), randomBytes(32)];
    const v1 = legacyV1("legacy secret", "tenant-credential", a);
    expect(decryptSecret(v1, tenantA, { current: a })).toBe("legacy secret");
    expect(decryptSecret(v1, tenantB, { current: b, previous: [a] })).toBe("legacy secret");
    expect(() => decryptSecret(v1, { purpose: "refresh-token", rowId: "x" }, { current: a })).toThrow(/could not be decrypted/);
    expect(() => decryptSecret(v1, tenantA, { current: b })).toThrow(/PORTAL_SECRET_KEY/);
  });

  it("rejects unknown formats without leaking internals", async () => {
    const { decryptSecret } = await import("@/lib/crypto");
    for (const bad of ["plaintext-secret", "v2.only.three", "v1.a.b", "v3.a.b.c.d"]) {
      expect(() => decryptSecret(bad, tenantA), bad).toThrow(expect.objectContaining({ code: "SECRET_UNREADABLE", userMessage: expect.stringMatching(/unknown format/) }));
    }
  });

  it("refuses to encrypt or decrypt without a binding", async () => {
    const { encryptSecret, decryptSecret } = await import("@/lib/crypto");
    expect(() => encryptSecret("s", { purpose: "tenant-credential", rowId: "" })).toThrow(/row id/);
    expect(() => encryptSecret("s", { purpose: "", rowId: "r" })).toThrow(/purpose/);
    expect(() => encryptSecret("s", { purpose: "tenant-credential\u0000x", rowId: "r" })).toThrow(/NUL/);
    const ok = encryptSecret("s", tenantA);
    expect(() => decryptSecret(ok, { purpose: "tenant-credential", rowId: "tenant-a\u0000" })).toThrow(/NUL/);
  });
});

describe("the list of encrypted columns", () => {
  it("names every …Cipher column of prisma/schema.prisma, so `npm run rotate-key` misses none", async () => {
    const { ENCRYPTED_COLUMNS } = await import("@/lib/secret-columns");
    const schema = readFileSync(path.resolve(import.meta.dirname, "../../prisma/schema.prisma"), "utf8");
    const inSchema: string[] = [];
    for (const m of schema.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
      for (const f of m[2]!.matchAll(/^\s+(\w+Cipher)\s/gm)) inSchema.push(`${m[1]}.${f[1]}`);
    }
    expect(inSchema.length).toBeGreaterThanOrEqual(2);
    expect(ENCRYPTED_COLUMNS.map((c) => `${c.table}.${c.column}`).sort()).toEqual(inSchema.sort());
  });
});

describe("decodeKey", () => {
  it("accepts 64 hex characters or 32 bytes of base64, nothing else", async () => {
    const { decodeKey } = await import("@/lib/env");
    expect(decodeKey("a".repeat(64))?.length).toBe(32);
    expect(decodeKey(randomBytes(32).toString("base64"))?.length).toBe(32);
    expect(decodeKey("short")).toBeNull();
    expect(decodeKey(randomBytes(16).toString("base64"))).toBeNull();
  });
});
