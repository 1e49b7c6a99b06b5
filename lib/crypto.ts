import "server-only";
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
import { decodeKey, env } from "./env";
import { AppError } from "./errors";

/**
 * Secrets at rest: AES-256-GCM with a random 96-bit IV. The stored form is
 * `v1.<iv>.<tag>.<ciphertext>` (base64url), and `purpose` is bound as additional authenticated data
 * so a ciphertext cannot be moved from one column (say an API key) to another (a client secret).
 */
const VERSION = "v1";

function masterKey(): Buffer {
  const key = decodeKey(env().PORTAL_SECRET_KEY);
  if (!key) throw new Error("PORTAL_SECRET_KEY is not a 32-byte key");
  return key;
}

export function encryptSecret(plaintext: string, purpose: string, key: Buffer = masterKey()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(purpose, "utf8"));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ct.toString("base64url")].join(".");
}

export function decryptSecret(stored: string, purpose: string, key: Buffer = masterKey()): string {
  const [version, iv, tag, ct] = stored.split(".");
  if (version !== VERSION || !iv || !tag || ct === undefined) {
    throw new AppError("SECRET_UNREADABLE", { userMessage: "A stored secret is in an unknown format. Enter it again.", status: 500 });
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(purpose, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    // GCM authentication failed: tampered ciphertext, another purpose, or another PORTAL_SECRET_KEY.
    throw new AppError("SECRET_UNREADABLE", {
      userMessage: "A stored secret could not be decrypted (was PORTAL_SECRET_KEY changed?). Enter it again.",
      status: 500,
    });
  }
}

/** A sub-key for another use (e.g. next-auth's JWT secret), derived so one master key serves all. */
export function deriveKey(label: string, key: Buffer = masterKey()): Buffer {
  return Buffer.from(hkdfSync("sha256", key, Buffer.alloc(0), `graph-mail-portal:${label}`, 32));
}

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
