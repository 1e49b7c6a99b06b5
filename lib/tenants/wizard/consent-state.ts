import "server-only";
import { randomBytes } from "node:crypto";
import { sha256Hex } from "@/lib/crypto";
import { db } from "@/lib/db";

/**
 * The admin consent `state` (RFC 6749 §10.12: it binds the callback to the user agent's session): 32
 * random bytes, of which only a SHA-256 is stored, in a row naming the tenant, the admin and the session
 * version they were signed in with (lib/auth/session.ts), until when. The callback consumes it in one
 * atomic UPDATE: a replayed state, one that came back in another session (another admin, or after a
 * sign-out/role change ended the session), or one past its time is refused. Nothing else in the
 * callback's query is trusted (lib/tenants/wizard/record-consent.ts).
 */
export const CONSENT_STATE_TTL_MS = 30 * 60_000;

export async function issueConsentState(tenantId: string, userId: string, now = new Date()): Promise<string> {
  const state = randomBytes(32).toString("base64url");
  const user = await db().user.findUniqueOrThrow({ where: { id: userId }, select: { sessionVersion: true } });
  await db().$transaction([
    // States of finished or abandoned consents are kept a day (the callback can tell "used" from "unknown"), then dropped.
    db().consentState.deleteMany({ where: { expiresAt: { lt: new Date(now.getTime() - 24 * 3600_000) } } }),
    db().consentState.create({ data: { id: sha256Hex(state), tenantId, userId, sessionVersion: user.sessionVersion, expiresAt: new Date(now.getTime() + CONSENT_STATE_TTL_MS) } }),
  ]);
  return state;
}

export type ConsentStateRefusal = "unknown" | "replayed" | "expired" | "other-session";
export type ConsumedState = { ok: true; tenantId: string } | { ok: false; reason: ConsentStateRefusal; tenantId?: string };

/**
 * Uses up the state for this admin in their current session, or says why not. The UPDATE's conditions
 * are the whole check, so two callbacks racing with one state cannot both pass.
 */
export async function consumeConsentState(state: string | null, userId: string, now = new Date()): Promise<ConsumedState> {
  if (!state || !/^[A-Za-z0-9_-]{20,100}$/.test(state)) return { ok: false, reason: "unknown" };
  const id = sha256Hex(state);
  const used = await db().$queryRaw<{ tenantId: string }[]>`
    UPDATE "ConsentState" AS c SET "usedAt" = ${now}
    FROM "User" AS u
    WHERE c."id" = ${id} AND c."usedAt" IS NULL AND c."expiresAt" > ${now}
      AND c."userId" = ${userId} AND u."id" = c."userId" AND u."sessionVersion" = c."sessionVersion"
    RETURNING c."tenantId"`;
  if (used.length === 1) return { ok: true, tenantId: used[0]!.tenantId };
  const row = await db().consentState.findUnique({ where: { id }, select: { tenantId: true, usedAt: true, expiresAt: true } });
  if (!row) return { ok: false, reason: "unknown" };
  const reason: ConsentStateRefusal = row.usedAt ? "replayed" : row.expiresAt <= now ? "expired" : "other-session";
  return { ok: false, reason, tenantId: row.tenantId };
}
