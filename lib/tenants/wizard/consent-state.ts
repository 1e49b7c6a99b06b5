import "server-only";
import { createHmac, randomBytes } from "node:crypto";
import { deriveKey, safeEqual } from "@/lib/crypto";

/**
 * The admin consent `state`: which tenant and admin started it, until when, HMAC-signed with a key
 * derived from the portal's master key. The callback trusts nothing in the query that this does not sign.
 */
const TTL_SECONDS = 30 * 60;

interface StatePayload { t: string; u: string; exp: number; n: string }

const mac = (body: string) => createHmac("sha256", deriveKey("wizard-consent-state")).update(body).digest("base64url");

export function signConsentState(tenantId: string, userId: string, now = Date.now()): string {
  const payload: StatePayload = { t: tenantId, u: userId, exp: Math.floor(now / 1000) + TTL_SECONDS, n: randomBytes(9).toString("base64url") };
  const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
  return `${body}.${mac(body)}`;
}

export type StateCheck = { ok: true; tenantId: string; userId: string } | { ok: false; reason: "malformed" | "signature" | "expired" };

export function verifyConsentState(state: string | null, now = Date.now()): StateCheck {
  const [body, sig, extra] = (state ?? "").split(".");
  if (!body || !sig || extra !== undefined) return { ok: false, reason: "malformed" };
  if (!safeEqual(mac(body), sig)) return { ok: false, reason: "signature" };
  let p: StatePayload;
  try {
    p = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as StatePayload;
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (typeof p.t !== "string" || typeof p.u !== "string" || typeof p.exp !== "number") return { ok: false, reason: "malformed" };
  if (p.exp * 1000 < now) return { ok: false, reason: "expired" };
  return { ok: true, tenantId: p.t, userId: p.u };
}
