import "server-only";

/**
 * Secrets never reach the audit trail: before/after are redacted when an event is written (and again
 * when it is read, for events written before this rule). A key whose name suggests a secret loses its
 * value whatever it holds; a string that is a PEM private key or a JWT is dropped wherever it sits.
 * The audit log is read by auditors and exported to CSV, so it must hold nothing that grants access
 * (OWASP Logging Cheat Sheet, "Data to exclude").
 */
export const REDACTED = "[redacted]";

// "code" alone is an error code (Graph, AADSTS) and stays; one-time codes are named for what they are.
const SECRET_KEY = /secret|password|passcode|token|key|credential|cipher|private|setup_?code|auth_?code|otp/i;
/** Names that match the pattern above but only identify things (a key's id or its public prefix). */
const SAFE_KEYS = new Set(["action", "keyId", "apiKeyId", "keyPrefix", "displayPrefix"]);

const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
// header.payload.signature, each base64url; the header of every JWT starts with `{"` = "eyJ".
const JWT = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/;

/** Deeper than this is not a real audit payload; cut it rather than recurse without end. */
const MAX_DEPTH = 32;

export function isSecretKey(name: string): boolean {
  return !SAFE_KEYS.has(name) && SECRET_KEY.test(name);
}

export function looksSecret(value: string): boolean {
  return PEM_PRIVATE_KEY.test(value) || JWT.test(value);
}

/** A redacted deep copy of a JSON-like value (objects, arrays, dates via toJSON); the input is untouched. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return looksSecret(value) ? REDACTED : value;
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return REDACTED;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") return redactSecrets(toJSON.call(value), depth + 1);
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = isSecretKey(k) ? REDACTED : redactSecrets(v, depth + 1);
  return out;
}
