import "server-only";
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
import { decodeKey, env } from "./env";
import { AppError } from "./errors";

/**
 * Secrets at rest: AES-256-GCM with a random 96-bit IV (node:crypto; no wrapper library adds anything the
 * format below needs). The stored form is
 *
 *     v2.<kid>.<iv>.<tag>.<ciphertext>        (each part base64url)
 *
 * - `kid` names the key: the first 8 bytes of an HKDF output of the master key under its own label. It is
 *   not a hash of the key and reveals nothing usable about it (HKDF is a PRF), but lets the portal pick the
 *   right key out of PORTAL_SECRET_KEY + PORTAL_PREVIOUS_SECRET_KEYS, which is what makes rotation
 *   (`npm run rotate-key`) possible.
 * - The AES key is another HKDF output of the master key (never the master key itself), so the master key
 *   is only ever an HKDF input.
 * - The additional authenticated data binds the version, the kid, the *purpose* (which column) and the
 *   *owning row's id*: a ciphertext copied into another column or another tenant's / account's row fails
 *   authentication, with a clear SECRET_UNREADABLE error.
 *
 * Legacy `v1.<iv>.<tag>.<ciphertext>` values (raw master key, purpose-only AAD, no kid) are still read,
 * trying the current key then each previous key, so an existing install keeps working until
 * `npm run rotate-key` rewrites them as v2. Writes always produce v2.
 */
const V1 = "v1";
const V2 = "v2";

/** What a ciphertext is bound to: the column's purpose and the id of the row that holds it. */
export interface SecretBinding {
  purpose: string;
  rowId: string;
}

/** The keys the portal holds: the current one (all writes) and previous ones (reads only, during rotation). */
export interface Keyring {
  current: Buffer;
  previous?: readonly Buffer[];
}

function hkdf(key: Buffer, label: string, length: number): Buffer {
  return Buffer.from(hkdfSync("sha256", key, Buffer.alloc(0), `graph-mail-portal:${label}`, length));
}

/** The key id stored in front of every v2 value: 11 base64url characters, not secret. */
export function keyId(key: Buffer): string {
  return hkdf(key, "secrets-at-rest:key-id", 8).toString("base64url");
}

const dataKey = (key: Buffer) => hkdf(key, "secrets-at-rest:aes-256-gcm", 32);

function parseKeys(list: string | undefined): Buffer[] {
  return (list ?? "")
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean)
    .map((v) => {
      const k = decodeKey(v);
      if (!k) throw new Error("PORTAL_PREVIOUS_SECRET_KEYS holds a value that is not a 32-byte key");
      return k;
    });
}

/** PORTAL_SECRET_KEY (current) and PORTAL_PREVIOUS_SECRET_KEYS (comma-separated, read-only). */
export function configuredKeys(): Keyring {
  const e = env();
  const current = decodeKey(e.PORTAL_SECRET_KEY);
  if (!current) throw new Error("PORTAL_SECRET_KEY is not a 32-byte key");
  return { current, previous: parseKeys(e.PORTAL_PREVIOUS_SECRET_KEYS) };
}

const allKeys = (k: Keyring) => [k.current, ...(k.previous ?? [])];

function aad(version: string, kid: string | null, b: SecretBinding): Buffer {
  if (!b.purpose || !b.rowId || b.purpose.includes("\u0000") || b.rowId.includes("\u0000")) {
    // A programming error, never user input: an unbound secret must not be written or read.
    throw new Error("encryptSecret/decryptSecret need a purpose and a row id without NUL characters");
  }
  return Buffer.from(version === V1 ? b.purpose : [version, kid, b.purpose, b.rowId].join("\u0000"), "utf8");
}

function unreadable(message: string): AppError {
  return new AppError("SECRET_UNREADABLE", { userMessage: message, status: 500 });
}

const UNKNOWN_FORMAT = "A stored secret is in an unknown format. Enter it again.";
const FAILED =
  "A stored secret could not be decrypted: it was altered or copied from another record, or PORTAL_SECRET_KEY changed without the old key in PORTAL_PREVIOUS_SECRET_KEYS. Enter it again.";

export function encryptSecret(plaintext: string, binding: SecretBinding, keys: Keyring = configuredKeys()): string {
  const kid = keyId(keys.current);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", dataKey(keys.current), iv);
  cipher.setAAD(aad(V2, kid, binding));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [V2, kid, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ct.toString("base64url")].join(".");
}

function open(key: Buffer, iv: string, tag: string, ct: string, additional: Buffer): string | null {
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAAD(additional);
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    return null; // GCM authentication failed
  }
}

export function decryptSecret(stored: string, binding: SecretBinding, keys: Keyring = configuredKeys()): string {
  const parts = stored.split(".");
  if (parts[0] === V2 && parts.length === 5) {
    const [, kid, iv, tag, ct] = parts as [string, string, string, string, string];
    const key = allKeys(keys).find((k) => keyId(k) === kid);
    if (!key) {
      throw unreadable(
        `A stored secret was encrypted under a key the portal does not hold (key id ${kid}). Put that key in PORTAL_PREVIOUS_SECRET_KEYS, or enter the secret again.`,
      );
    }
    const plain = open(dataKey(key), iv, tag, ct, aad(V2, kid, binding));
    if (plain === null) throw unreadable(FAILED);
    return plain;
  }
  if (parts[0] === V1 && parts.length === 4) {
    const [, iv, tag, ct] = parts as [string, string, string, string];
    // No key id in v1: try each key; GCM's tag tells the right one from the wrong ones.
    for (const key of allKeys(keys)) {
      const plain = open(key, iv, tag, ct, aad(V1, null, binding));
      if (plain !== null) return plain;
    }
    throw unreadable(FAILED);
  }
  throw unreadable(UNKNOWN_FORMAT);
}

/** The key id a stored value names ("v1" values name none: null). */
export function storedKeyId(stored: string): string | null {
  const parts = stored.split(".");
  return parts[0] === V2 && parts.length === 5 ? parts[1]! : null;
}

/**
 * A sub-key for another use (e.g. next-auth's JWT secret), derived from the current master key so one key
 * serves all. Rotating PORTAL_SECRET_KEY therefore changes these too: every session ends (README).
 */
export function deriveKey(label: string, key: Buffer = configuredKeys().current): Buffer {
  return hkdf(key, label, 32);
}

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
