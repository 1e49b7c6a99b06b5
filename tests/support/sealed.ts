import { randomBytes } from "node:crypto";
import { expect } from "vitest";

/**
 * Proves a stored secret is sealed, not merely encoded: `expect(stored).not.toContain(plaintext)`
 * passes for base64 of the plaintext, so instead
 *  - no base64/base64url segment of the stored form decodes to bytes that hold the plaintext (or any
 *    16-byte run of it), and
 *  - opening it with another 32-byte key fails (`open(key)` is the caller's decrypt with that key).
 */
export function expectSealed(stored: string, plaintext: string, open: (key: Buffer) => unknown): void {
  const secret = Buffer.from(plaintext, "utf8");
  const runs = secret.length <= 16 ? [secret] : Array.from({ length: secret.length - 15 }, (_, i) => secret.subarray(i, i + 16));
  for (const segment of stored.split(/[^A-Za-z0-9+/_=-]+/)) {
    for (const enc of ["base64", "base64url"] as const) {
      const bytes = Buffer.from(segment, enc);
      expect(runs.some((r) => bytes.includes(r)), `a ${enc} segment of the stored value holds the plaintext`).toBe(false);
    }
  }
  expect(() => open(randomBytes(32))).toThrow();
}
