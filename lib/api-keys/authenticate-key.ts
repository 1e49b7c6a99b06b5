import "server-only";
import { db } from "../db";
import { AppError } from "../errors";
import { hit } from "../rate-limit/hit";
import { hitKeyRate } from "../rate-limit/key-rate";
import { hashKeySecret, looksLikeKeySecret } from "./secret";

/** The key a REST API request authenticated with (never its secret). */
export interface ApiKeyCaller {
  id: string;
  name: string;
  displayPrefix: string;
  tenantId: string;
  ratePerMinute: number;
  allowedRecipientDomains: string[];
  maxMessageBytes: number | null;
}

/** The caller's columns plus what decides whether the key may still be used. */
export const KEY_CALLER_SELECT = { id: true, name: true, displayPrefix: true, tenantId: true, ratePerMinute: true, allowedRecipientDomains: true, maxMessageBytes: true, revokedAt: true, expiresAt: true } as const;

const unauthorized = (detail: string) =>
  new AppError("UNAUTHENTICATED", { userMessage: detail, status: 401, details: { wwwAuthenticate: 'Bearer realm="api"' } });

export const tooManyRequests = (retryAfterMs: number, what: string) =>
  new AppError("RATE_LIMITED", {
    userMessage: `Too many requests ${what}. Try again in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} seconds.`,
    status: 429,
    details: { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) },
  });

/**
 * `Authorization: Bearer gmp_live_…` → the key, or a 401 that says why (missing, malformed, unknown,
 * revoked, expired). Cookies are never looked at: a script's request carries no session, and a page of
 * another site cannot make a browser attach a bearer key. Every request from a client address counts
 * against the per-address limit first (unknown keys included, so guessing costs the guesser); every
 * authenticated use is recorded on the key (last used, count, last address). `countRate` also counts the
 * request against the key's own per-minute limit (sending and uploading, not reading).
 */
export async function authenticateKey(authorization: string | null, ip: string, opts: { countRate?: boolean } = {}): Promise<ApiKeyCaller> {
  const byIp = await hit([{ limit: "apiIp", key: ip }]);
  if (!byIp.ok) throw tooManyRequests(byIp.retryAfterMs, "from your address");
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? "");
  if (!authorization) throw unauthorized("Send the API key in the Authorization header: `Authorization: Bearer gmp_live_…`.");
  if (!m || !looksLikeKeySecret(m[1]!)) throw unauthorized("The Authorization header does not hold an API key of this portal (`Bearer gmp_live_…`).");
  const key = await db().apiKey.findUnique({
    where: { hash: hashKeySecret(m[1]!) },
    select: KEY_CALLER_SELECT,
  });
  if (!key) throw unauthorized("This API key is not known to the portal.");
  if (key.revokedAt) throw unauthorized("This API key was revoked. Ask an admin for a new key.");
  if (key.expiresAt && key.expiresAt <= new Date()) throw unauthorized("This API key has expired. Ask an admin for a new key.");
  await db().apiKey.update({ where: { id: key.id }, data: { useCount: { increment: 1 }, lastUsedAt: new Date(), lastUsedIp: ip.slice(0, 100) } });
  if (opts.countRate) {
    const r = await hitKeyRate(key.id, key.ratePerMinute);
    if (!r.ok) throw tooManyRequests(r.retryAfterMs, `with this key (its limit is ${key.ratePerMinute} a minute)`);
  }
  const { revokedAt: _r, expiresAt: _e, ...caller } = key;
  return caller;
}
