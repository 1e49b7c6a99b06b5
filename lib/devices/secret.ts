import "server-only";
import { randomBytes, randomInt } from "node:crypto";
import { sha256Hex } from "../crypto";

/**
 * SMTP device credentials. The password is 24 characters of letters and digits (about 143 bits): long
 * enough that nobody guesses it, short and plain enough for the web forms of old printers and scanners,
 * which often cap the SMTP password at 32 characters and choke on punctuation. Only SHA-256 of it is
 * stored (a fast hash is enough for random secrets — there is no dictionary to try, as for API keys in
 * lib/api-keys/secret.ts); it is shown once, when created or rotated.
 */
const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
export const DEVICE_PASSWORD_LENGTH = 24;

export function newDevicePassword(): { password: string; hash: string } {
  let password = "";
  for (let i = 0; i < DEVICE_PASSWORD_LENGTH; i++) password += ALPHABET[randomInt(ALPHABET.length)];
  return { password, hash: hashDevicePassword(password) };
}

export const hashDevicePassword = (password: string): string => sha256Hex(`gmp-device:${password}`);

/**
 * The SMTP username: `dev-` + the name in lower-case letters and digits (at most 20) + `-` + 6 random
 * characters, e.g. `dev-hr-scanner-k3v9qa`. Plain ASCII without `@`, since some devices only accept a
 * short user name.
 */
export function newDeviceUsername(name: string): string {
  const slug = name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 20).replace(/-+$/, "");
  const tail = randomBytes(6).toString("base64url").toLowerCase().replace(/[^a-z0-9]/g, "x").slice(0, 6);
  return `dev-${slug || "device"}-${tail}`;
}
