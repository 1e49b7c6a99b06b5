import "server-only";
import { createHmac } from "node:crypto";
import { deriveKey, safeEqual } from "../crypto";

/**
 * "Link Microsoft account" (Settings → Account): a signed-in local user asks to add a Microsoft
 * identity to their own account. The intent is a short-lived HMAC-signed cookie naming the user and the
 * tenant; the auth route honours it only when the session cookie of that same user comes with it, so
 * both identities are proven in one flow (the password session, then Microsoft's sign-in). The cookie's
 * name and attributes: lib/auth/cookies.ts (`linkIntent`).
 */
export const LINK_INTENT_TTL_S = 10 * 60;

const sign = (payload: string) => createHmac("sha256", deriveKey("link-intent")).update(payload).digest("base64url");

export function createLinkIntent(userId: string, tenantId: string, now = Date.now()): string {
  const payload = Buffer.from(JSON.stringify({ u: userId, t: tenantId, e: now + LINK_INTENT_TTL_S * 1000 })).toString("base64url");
  return `${payload}.${sign(payload)}`;
}

export function readLinkIntent(value: string | undefined, now = Date.now()): { userId: string; tenantId: string } | null {
  const [payload, mac] = (value ?? "").split(".");
  if (!payload || !mac || !safeEqual(mac, sign(payload))) return null;
  try {
    const v = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { u?: unknown; t?: unknown; e?: unknown };
    if (typeof v.u !== "string" || typeof v.t !== "string" || typeof v.e !== "number" || v.e < now) return null;
    return { userId: v.u, tenantId: v.t };
  } catch {
    return null;
  }
}
