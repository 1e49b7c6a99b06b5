import "server-only";
import type { AuthOptions, User as NextAuthUser } from "next-auth";
import type { OAuthConfig } from "next-auth/providers/oauth";
import CredentialsProvider from "next-auth/providers/credentials";
import { db } from "../db";
import { deriveKey, decryptSecret } from "../crypto";
import { env } from "../env";
import { authorityFor } from "../tenants/clouds";
import { TENANT_CREDENTIAL_PURPOSE } from "../secret-columns";
import { storeRefreshToken } from "./store-refresh-token";
import { recordAudit } from "../audit/record";
import { verifyPassword } from "./password";
import { signInSchema } from "../schemas/auth";
import { admitMicrosoftSignIn, directoryGuid } from "./admit-microsoft";
import { safeRedirectPath } from "./safe-redirect";
import { logError } from "../log";
import { clientIp } from "../rate-limit/client-ip";
import { hit, refund, TooManyAttempts, type Hit } from "../rate-limit/hit";
import { nextAuthCookies, securePortal } from "./cookies";
import { signInScopes } from "./sign-in-scopes";
import { proxyAwareAgent } from "../net/proxy";

export const MICROSOFT_PROVIDER_ID = "microsoft";

interface EntraProfile {
  sub: string;
  oid: string;
  tid: string;
  name?: string;
  email?: string;
  preferred_username?: string;
}

export { signInScopes };

// openid-client (next-auth's OAuth client: discovery, JWKS, the code → token exchange) runs on node:https;
// its `agent` http option routes those calls by HTTPS_PROXY/NO_PROXY (lib/net/proxy.ts).
const signInAgent = proxyAwareAgent();

async function microsoftProvider(tenantId: string): Promise<OAuthConfig<EntraProfile> | null> {
  const tenant = await db().tenant.findUnique({
    where: { id: tenantId },
    select: { id: true, cloud: true, loginUrl: true, graphUrl: true, directoryId: true, clientId: true, useDelegated: true, largeAttachments: true, credentialKind: true, credentialCipher: true },
  });
  if (!tenant?.clientId || tenant.credentialKind !== "secret" || !tenant.credentialCipher) return null;
  let clientSecret: string;
  try {
    clientSecret = decryptSecret(tenant.credentialCipher, { purpose: TENANT_CREDENTIAL_PURPOSE, rowId: tenant.id });
  } catch (err) {
    // A secret that no longer decrypts (altered, copied from another tenant's row, or its key is gone):
    // Microsoft sign-in for this tenant is off until an admin enters the secret again, while local
    // sign-in and every session check (the same route) keep working instead of failing with a 500.
    logError(`Microsoft sign-in for tenant ${tenant.id} is unavailable`, err);
    return null;
  }
  const authority = authorityFor(tenant);
  return {
    id: MICROSOFT_PROVIDER_ID,
    name: "Microsoft",
    type: "oauth",
    wellKnown: `${authority}/v2.0/.well-known/openid-configuration`,
    clientId: tenant.clientId,
    clientSecret,
    authorization: { params: { scope: signInScopes(tenant.useDelegated, tenant.largeAttachments), prompt: "select_account" } },
    idToken: true,
    checks: ["pkce", "state"],
    httpOptions: { agent: signInAgent },
    // The stock azure-ad profile() fetches a photo from graph.microsoft.com, which fails offline and in
    // national clouds (shared/LIBRARY-NOTES.md): map the id token claims only.
    profile(p) {
      return {
        id: p.oid,
        name: p.name ?? p.preferred_username ?? p.email ?? p.oid,
        email: (p.email ?? p.preferred_username ?? "").toLowerCase(),
        preferredUsername: p.preferred_username?.toLowerCase(),
        tenantId: tenant.id,
        tid: p.tid,
        oid: p.oid,
      } as NextAuthUser;
    },
  };
}

const credentials = CredentialsProvider({
  id: "credentials",
  name: "Local account",
  credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
  async authorize(raw, req) {
    const parsed = signInSchema.safeParse(raw);
    if (!parsed.success) return null;
    const email = parsed.data.email.toLowerCase();
    try {
      const ip = clientIp((name) => {
        const v: unknown = req?.headers?.[name];
        return typeof v === "string" ? v : undefined;
      });
      // Counted before the password is checked, one atomic upsert per limit: forty parallel guesses cannot
      // all pass. A successful sign-in gives its point back, so only failures add up.
      const hits: Hit[] = [
        { limit: "signInAccount", key: email },
        { limit: "signInIp", key: ip },
      ];
      const gate = await hit(hits);
      if (!gate.ok) {
        if (gate.firstRefusal) await recordAudit({ actor: null, action: "auth.sign-in-failed", target: email, after: { via: "password", reason: "too many attempts", ip } });
        throw new TooManyAttempts("sign-in attempts", gate.retryAfterMs);
      }
      // Local accounts only (a password hash): Microsoft users may share an address and never sign in here.
      const user = await db().user.findFirst({
        where: { email: { equals: email, mode: "insensitive" }, passwordHash: { not: null } },
        select: { id: true, name: true, email: true, disabled: true, passwordHash: true },
      });
      const ok = await verifyPassword(user?.passwordHash, parsed.data.password);
      if (!user || !ok || user.disabled) {
        await recordAudit({ actor: user ? { id: user.id, name: user.name } : null, action: "auth.sign-in-failed", target: email, after: { via: "password", reason: !user ? "unknown account" : !ok ? "wrong password" : "account disabled" } });
        return null;
      }
      await refund(hits);
      await db().user.update({ where: { id: user.id }, data: { lastSignInAt: new Date() } });
      await recordAudit({ actor: { id: user.id, name: user.name }, action: "auth.signed-in", target: user.email, after: { via: "password" } });
      return { id: user.id, name: user.name, email: user.email };
    } catch (err) {
      // next-auth hands a thrown error's message to the browser (signIn() → res.error): only ours may get there.
      if (err instanceof TooManyAttempts) throw err;
      logError("local sign-in failed", err);
      throw new Error("Sign-in is not available right now. Try again in a minute.");
    }
  },
});

type MicrosoftUser = NextAuthUser & { tenantId?: string; tid?: string; oid?: string; preferredUsername?: string };

/** Binds a Microsoft identity to the signed-in local user who asked for it (lib/auth/link-intent.ts). */
async function linkMicrosoft(userId: string, tenantId: string, u: MicrosoftUser): Promise<string | true> {
  const tenant = await db().tenant.findUnique({ where: { id: tenantId }, select: { directoryId: true, wizardData: true } });
  const tid = u.tid!.toLowerCase();
  const oid = u.oid!.toLowerCase();
  if (!tenant || directoryGuid(tenant) !== tid) return "/settings?link=wrong-directory";
  const holder = await db().user.findUnique({ where: { entraTid_entraObjectId: { entraTid: tid, entraObjectId: oid } }, select: { id: true } });
  if (holder && holder.id !== userId) return "/settings?link=taken";
  const me = await db().user.update({ where: { id: userId }, data: { tenantId, entraTid: tid, entraObjectId: oid, lastSignInAt: new Date() }, select: { email: true, name: true } });
  await recordAudit({ actor: { id: userId, name: me.name }, action: "user.microsoft-linked", target: me.email, tenantId, after: { tid, oid, microsoftAddress: u.email ?? null } });
  return true;
}

/**
 * Options for getServerSession and for the auth route; the Microsoft provider is added per request.
 * `linkUserId`: the signed-in local user whose verified link intent came with this request.
 */
export function authOptions(signInTenantId?: string | null, microsoft?: OAuthConfig<EntraProfile> | null, linkUserId?: string | null): AuthOptions {
  if (!process.env.NEXTAUTH_URL) process.env.NEXTAUTH_URL = env().PORTAL_URL;
  return {
    secret: deriveKey("next-auth").toString("base64url"),
    session: { strategy: "jwt", maxAge: 8 * 60 * 60 },
    // `__Host-` names under https (lib/auth/cookies.ts), the same helper getToken and proxy.ts read them with.
    useSecureCookies: securePortal(env().PORTAL_URL),
    cookies: nextAuthCookies(env().PORTAL_URL),
    pages: { signIn: "/sign-in", error: "/sign-in" },
    providers: microsoft ? [credentials, microsoft] : [credentials],
    events: {
      async signOut({ token }) {
        if (typeof token?.uid !== "string") return;
        // A JWT cannot be revoked: bumping the version ends this and every other session of the person
        // (lib/auth/session.ts). Only a live session bumps it, so an old, already ended cookie cannot be
        // used to sign the person out of the session they have now.
        if (typeof token.sv === "number") {
          await db().user.updateMany({ where: { id: token.uid, sessionVersion: token.sv }, data: { sessionVersion: { increment: 1 } } });
        }
        await recordAudit({ actor: { id: token.uid, name: token.name }, action: "auth.signed-out", target: token.email ?? undefined });
      },
    },
    callbacks: {
      // After sign-in or sign-out: only the portal's own origin, under the same path rules as the sign-in page.
      redirect({ url, baseUrl }) {
        const origin = new URL(baseUrl).origin;
        const path = url.startsWith(`${origin}/`) ? url.slice(origin.length) : url;
        return `${origin}${safeRedirectPath(path)}`;
      },
      async signIn({ user, account }) {
        if (account?.provider !== MICROSOFT_PROVIDER_ID) return true;
        const u = user as MicrosoftUser;
        if (!signInTenantId || u.tenantId !== signInTenantId || !u.oid || !u.tid) return false;
        let userId: string;
        if (linkUserId) {
          const linked = await linkMicrosoft(linkUserId, signInTenantId, u);
          if (linked !== true) return linked;
          userId = linkUserId;
        } else {
          const admitted = await admitMicrosoftSignIn({ tenantId: signInTenantId, tid: u.tid, oid: u.oid, name: u.name, email: u.email, preferredUsername: u.preferredUsername });
          if (!admitted.ok) return admitted.redirect;
          userId = admitted.userId;
        }
        // Keep the refresh token (encrypted) for delegated sending; the access token is not stored.
        if (account.refresh_token) {
          await storeRefreshToken({ userId, provider: `${MICROSOFT_PROVIDER_ID}:${signInTenantId}`, providerAccountId: u.oid, refreshToken: account.refresh_token, scope: account.scope });
        }
        user.id = userId; // the jwt callback receives this same object
        return true;
      },
      async jwt({ token, user }) {
        // `user` is present only at sign-in: record who, and the session version the token counts for.
        if (user) {
          const row = await db().user.findUnique({ where: { id: user.id }, select: { sessionVersion: true } });
          token.uid = user.id;
          token.sv = row?.sessionVersion;
        }
        return token;
      },
      session({ session, token }) {
        return { ...session, uid: typeof token.uid === "string" ? token.uid : undefined, sv: typeof token.sv === "number" ? token.sv : undefined };
      },
    },
  };
}

export async function authOptionsForRequest(signInTenantId: string | undefined, linkUserId?: string | null): Promise<AuthOptions> {
  const microsoft = signInTenantId ? await microsoftProvider(signInTenantId) : null;
  return authOptions(signInTenantId, microsoft, linkUserId);
}
