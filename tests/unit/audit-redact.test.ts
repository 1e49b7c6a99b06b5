import { describe, expect, it } from "vitest";
import { REDACTED, isSecretKey, redactSecrets } from "@/lib/audit/redact";

const PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";
const RSA_PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----";
const JWT = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl";

describe("audit redaction", () => {
  it("redacts every key whose name suggests a secret, whatever its value, at any depth", () => {
    const input = {
      clientSecret: "Xy8Q~supersecret",
      password: 12345,
      refresh_token: { nested: "still secret" },
      apiKey: ["a", "b"],
      credentialCipher: null,
      privateKeyPem: "x",
      authCode: "0.AAA",
      CIPHER: true,
      name: "Contoso",
      retentionDays: 30,
      restriction: { mode: "rbac", mailboxes: ["hr@contoso.com"], settings: { ClientSecretValue: "s3cr3t", scope: "Mail.Send" } },
      list: [{ token: "t1", id: "keep-me" }, { secrets: ["s1"] }, "plain", 7, null],
    };
    expect(redactSecrets(input)).toEqual({
      clientSecret: REDACTED,
      password: REDACTED,
      refresh_token: REDACTED,
      apiKey: REDACTED,
      credentialCipher: REDACTED,
      privateKeyPem: REDACTED,
      authCode: REDACTED,
      CIPHER: REDACTED,
      name: "Contoso",
      retentionDays: 30,
      restriction: { mode: "rbac", mailboxes: ["hr@contoso.com"], settings: { ClientSecretValue: REDACTED, scope: "Mail.Send" } },
      list: [{ token: REDACTED, id: "keep-me" }, { secrets: REDACTED }, "plain", 7, null],
    });
  });

  it("keeps identifying names that only look like secrets", () => {
    const input = { action: "user.updated", keyId: "k1", apiKeyId: "k2", keyPrefix: "gmp_ab", displayPrefix: "gmp_cd" };
    expect(redactSecrets(input)).toEqual(input);
    for (const k of ["action", "keyId", "apiKeyId", "keyPrefix", "displayPrefix", "role", "disabled", "clientId", "thumbprintSha256"]) {
      expect(isSecretKey(k), k).toBe(false);
    }
    // Exact names only: a look-alike is still redacted.
    for (const k of ["keyIds", "apiKeySecret", "ApiKeyId2", "accessToken", "passcode", "Credential"]) expect(isSecretKey(k), k).toBe(true);
  });

  it("redacts strings that are a PEM private key or a JWT under any key, and inside arrays", () => {
    const out = redactSecrets({
      certificate: PEM,
      note: `Authorization: Bearer ${JWT}`,
      items: [RSA_PEM, JWT, "eyJ not a token", "hello.world.again"],
      publicCert: "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----",
    });
    expect(out).toEqual({
      certificate: REDACTED,
      note: REDACTED,
      items: [REDACTED, REDACTED, "eyJ not a token", "hello.world.again"],
      publicCert: "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----",
    });
    expect(redactSecrets(JWT)).toBe(REDACTED);
    expect(redactSecrets("user.updated")).toBe("user.updated");
  });

  it("leaves scalars, dates and the input untouched", () => {
    const when = new Date("2026-12-01T10:00:00.000Z");
    const input = { expires: when, secret: "x", n: 1, ok: false, nothing: null };
    const copy = structuredClone(input);
    expect(redactSecrets(input)).toEqual({ expires: "2026-12-01T10:00:00.000Z", secret: REDACTED, n: 1, ok: false, nothing: null });
    expect(input).toEqual(copy);
    expect(redactSecrets(42)).toBe(42);
    expect(redactSecrets(null)).toBeNull();
    expect(redactSecrets(undefined)).toBeUndefined();
  });

  it("stops at an absurd depth instead of recursing forever", () => {
    let deep: Record<string, unknown> = { leaf: "x" };
    for (let i = 0; i < 100; i++) deep = { d: deep };
    expect(JSON.stringify(redactSecrets(deep))).toContain(REDACTED);
  });
});
