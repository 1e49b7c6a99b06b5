import NextAuth from "next-auth";
import { getToken } from "next-auth/jwt";
import type { NextRequest } from "next/server";
import { cookieNames } from "@/lib/auth/cookies";
import { authOptionsForRequest } from "@/lib/auth/options";
import { readLinkIntent } from "@/lib/auth/link-intent";
import { env } from "@/lib/env";
import { deriveKey } from "@/lib/crypto";
import { userForSession } from "@/lib/auth/session";

type Ctx = { params: Promise<{ nextauth: string[] }> };

/**
 * A link intent counts only when the session cookie of the same user comes with it, for the tenant the
 * sign-in was started for: a stolen or stale intent cookie alone links nothing.
 */
async function linkUserId(req: NextRequest, signInTenantId: string | undefined): Promise<string | null> {
  const names = cookieNames(env().PORTAL_URL);
  const intent = readLinkIntent(req.cookies.get(names.linkIntent)?.value);
  if (!intent || intent.tenantId !== signInTenantId) return null;
  // The session cookie's name from the same helper as next-auth's options (getToken's default would be `__Secure-…`).
  const token = await getToken({ req: req as never, secret: deriveKey("next-auth").toString("base64url"), cookieName: names.sessionToken });
  if (token?.uid !== intent.userId) return null;
  // A signed-out (or otherwise ended) session cookie links nothing.
  const user = await userForSession({ uid: token.uid, sv: token.sv });
  return user ? intent.userId : null;
}

// Options are built per request: the Microsoft provider points at the authority of the tenant the
// person chose on the sign-in page (a cookie), so one callback URL serves every onboarded tenant.
async function handler(req: NextRequest, ctx: Ctx) {
  const tenantId = req.cookies.get(cookieNames(env().PORTAL_URL).signInTenant)?.value;
  const options = await authOptionsForRequest(tenantId, await linkUserId(req, tenantId));
  return NextAuth(req as never, ctx as never, options) as Promise<Response>;
}

export { handler as GET, handler as POST };
