import { randomBytes } from "node:crypto";
import { describe, expect, it, beforeAll } from "vitest";
import { expectSealed } from "../support/sealed";

beforeAll(() => {
  process.env.PORTAL_SECRET_KEY = randomBytes(32).toString("hex");
  process.env.DATABASE_URL ??= "postgresql://postgres@127.0.0.1:5432/postgres";
});

describe("encryptSecret / decryptSecret (AES-256-GCM)", () => {
  it("round-trips and never stores the plaintext", async () => {
    const { encryptSecret, decryptSecret } = await import("@/lib/crypto");
    const secret = "Xy8Q~client-secret-value~with.symbols";
    const stored = encryptSecret(secret, "tenant-credential");
    expectSealed(stored, secret, (key) => decryptSecret(stored, "tenant-credential", key));
    expect(stored.startsWith("v1.")).toBe(true);
    expect(decryptSecret(stored, "tenant-credential")).toBe(secret);
  });

  it("uses a fresh IV: the same secret encrypts differently each time", async () => {
    const { encryptSecret } = await import("@/lib/crypto");
    expect(encryptSecret("same", "p")).not.toBe(encryptSecret("same", "p"));
  });

  it("detects tampering with the ciphertext, the tag or the IV", async () => {
    const { encryptSecret, decryptSecret } = await import("@/lib/crypto");
    const stored = encryptSecret("refresh-token-value", "refresh-token");
    const parts = stored.split(".");
    for (const index of [1, 2, 3]) {
      const copy = [...parts];
      const bytes = Buffer.from(copy[index]!, "base64url");
      bytes[0] = bytes[0]! ^ 0x01;
      copy[index] = bytes.toString("base64url");
      expect(() => decryptSecret(copy.join("."), "refresh-token"), `part ${index}`).toThrow(/could not be decrypted/);
    }
  });

  it("binds the purpose: a ciphertext cannot be reused for another column", async () => {
    const { encryptSecret, decryptSecret } = await import("@/lib/crypto");
    const stored = encryptSecret("secret", "tenant-credential");
    expect(() => decryptSecret(stored, "api-key")).toThrow(/could not be decrypted/);
  });

  it("fails with a clear message under another key", async () => {
    const { encryptSecret, decryptSecret } = await import("@/lib/crypto");
    const stored = encryptSecret("secret", "p", randomBytes(32));
    expect(() => decryptSecret(stored, "p", randomBytes(32))).toThrow(/PORTAL_SECRET_KEY/);
  });

  it("rejects unknown formats without leaking internals", async () => {
    const { decryptSecret } = await import("@/lib/crypto");
    expect(() => decryptSecret("plaintext-secret", "p")).toThrow(/unknown format/);
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
