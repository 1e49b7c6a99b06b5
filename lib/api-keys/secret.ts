import "server-only";
import { randomBytes } from "node:crypto";
import { sha256Hex } from "../crypto";

/**
 * API key secrets: `gmp_live_` + 32 random bytes in base62-ish base64url (43 characters, 256 bits), so a
 * secret scanner can recognise one and nobody can guess one. Only SHA-256 of the whole secret is stored
 * (a fast hash is enough for 256 random bits: there is no dictionary to try), with a short display form
 * (`gmp_live_ab12…`) that tells keys apart on the keys page. Pattern from dub's `app/api/tokens`
 * (https://github.com/dubinc/dub/tree/main/apps/web/app/api/tokens).
 */
export const KEY_PREFIX = "gmp_live_";
const SECRET = /^gmp_live_[A-Za-z0-9_-]{43}$/;

export function newKeySecret(): { secret: string; hash: string; displayPrefix: string } {
  const secret = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { secret, hash: hashKeySecret(secret), displayPrefix: `${secret.slice(0, KEY_PREFIX.length + 4)}…` };
}

export const hashKeySecret = (secret: string): string => sha256Hex(secret);

/** Whether a string has the shape of a key secret (anything else is refused without a database lookup). */
export const looksLikeKeySecret = (s: string): boolean => SECRET.test(s);
