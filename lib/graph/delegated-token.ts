import "server-only";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { db } from "../db";
import { decryptSecret, encryptSecret } from "../crypto";
import { AppError } from "../errors";
import { REFRESH_TOKEN_PURPOSE } from "../secret-columns";
import { msalConfiguration } from "./tokens";
import { toGraphAppError } from "./errors";
import type { TenantAccess } from "./tenant-access";

/**
 * Delegated Mail.Send tokens for a person who signed in with Microsoft: MSAL's acquireTokenByRefreshToken
 * with the tenant's confidential client and the refresh token kept (encrypted) at sign-in. Entra returns a
 * new refresh token on every use; it replaces the stored one, encrypted again. A throwaway MSAL client per
 * refresh keeps one person's tokens out of the shared per-tenant cache; access tokens are reused from a
 * small in-process cache until five minutes before they expire.
 *
 * An expired or revoked grant (invalid_grant: AADSTS70008, 50173, 700082 …) becomes an AppError whose
 * message says to sign in with Microsoft again — never a 500.
 *
 * Refreshes are single-flighted per person and tenant (as tokens.ts does for app tokens): concurrent sends
 * of one person share one refresh, so one rotated refresh token is issued and stored. The rotated token is
 * written only over the one that was redeemed (compare-and-swap), so a slower refresh in another portal
 * instance never puts back an older token.
 */
const cache = new Map<string, { token: string; expiresAt: number; version: string }>();
const inFlight = new Map<string, Promise<string>>();

export const providerFor = (tenantId: string) => `microsoft:${tenantId}`;

export function delegatedScopes(t: Pick<TenantAccess, "graphUrl">): string[] {
  return [`${new URL(t.graphUrl).origin}/Mail.Send`];
}

function signInAgain(detail: string): AppError {
  return new AppError("invalid_grant", {
    userMessage: `Your Microsoft sign-in for sending as yourself is missing or has expired. ${detail} Sign in with Microsoft again, then send.`,
    status: 409,
  });
}

/** Reads the rotated refresh token out of a throwaway MSAL cache (MSAL does not return it directly). */
function rotatedRefreshToken(app: ConfidentialClientApplication): string | null {
  const data = JSON.parse(app.getTokenCache().serialize()) as { RefreshToken?: Record<string, { secret?: string }> };
  const first = Object.values(data.RefreshToken ?? {})[0];
  return first?.secret ?? null;
}

export async function delegatedToken(t: TenantAccess, userId: string, opts: { skipCache?: boolean } = {}): Promise<string> {
  const key = `${t.id}:${userId}`;
  const hit = cache.get(key);
  if (!opts.skipCache && hit && hit.version === t.version && hit.expiresAt - Date.now() > 300_000) return hit.token;
  const flight = `${key}:${t.version}`;
  const pending = inFlight.get(flight);
  if (pending) return pending;
  const p = refresh(t, userId, key).finally(() => inFlight.delete(flight));
  inFlight.set(flight, p);
  return p;
}

async function refresh(t: TenantAccess, userId: string, key: string): Promise<string> {
  const account = await db().account.findFirst({
    where: { userId, provider: providerFor(t.id), refreshTokenCipher: { not: null } },
    select: { id: true, refreshTokenCipher: true },
    orderBy: { updatedAt: "desc" },
  });
  if (!account?.refreshTokenCipher) throw signInAgain("The portal holds no Microsoft sign-in for you in this tenant.");
  const refreshToken = decryptSecret(account.refreshTokenCipher, { purpose: REFRESH_TOKEN_PURPOSE, rowId: account.id });

  const app = new ConfidentialClientApplication(msalConfiguration(t));
  let result;
  try {
    result = await app.acquireTokenByRefreshToken({ refreshToken, scopes: delegatedScopes(t), forceCache: true });
  } catch (err) {
    const e = toGraphAppError(err, {});
    if (e.code === "invalid_grant" || /^AADSTS(70008|50173|700082|70000|9002313|65001|50076|50079)$/.test(e.code)) {
      cache.delete(key);
      const again = /Sign in with Microsoft again/.test(e.userMessage) ? "" : " Sign in with Microsoft again to keep sending as yourself.";
      throw new AppError(e.code, { userMessage: `${e.userMessage.trim()}${again}`, status: 409, details: e.details, cause: err });
    }
    throw e;
  }
  if (!result?.accessToken) throw signInAgain("Microsoft returned no access token.");
  const rotated = rotatedRefreshToken(app);
  if (rotated && rotated !== refreshToken) {
    // Compare-and-swap on the cipher that was redeemed. If it changed meanwhile (another instance's refresh,
    // or rotate-key re-encrypting it), the stored token stays: Entra keeps a redeemed token valid.
    await db().account.updateMany({
      where: { id: account.id, refreshTokenCipher: account.refreshTokenCipher },
      data: { refreshTokenCipher: encryptSecret(rotated, { purpose: REFRESH_TOKEN_PURPOSE, rowId: account.id }) },
    });
  }
  cache.set(key, { token: result.accessToken, expiresAt: result.expiresOn?.getTime() ?? Date.now() + 3000_000, version: t.version });
  return result.accessToken;
}

/** Whether the person has a stored grant for delegated sending in the tenant (for the compose page). */
export async function hasDelegatedGrant(tenantId: string, userId: string): Promise<boolean> {
  return (await db().account.count({ where: { userId, provider: providerFor(tenantId), refreshTokenCipher: { not: null } } })) > 0;
}
