"use server";
import { cookies } from "next/headers";
import { currentUser } from "@/lib/auth/session";
import { cookieNames, cookieOptions } from "@/lib/auth/cookies";
import { createLinkIntent, LINK_INTENT_TTL_S } from "@/lib/auth/link-intent";
import { env } from "@/lib/env";
import { findSignInTenants } from "@/lib/tenants/find-sign-in-tenants";

/**
 * Settings → Account → "Link Microsoft account": the signed-in person asks to add a Microsoft identity
 * to their own account. Sets the tenant for the sign-in and a signed, short-lived link intent; the auth
 * route binds the identity only when this same person's session comes with it (lib/auth/link-intent.ts).
 */
export async function startMicrosoftLink(tenantId: string): Promise<{ ok: boolean; message?: string; code?: string }> {
  // An ended session is an answer, not a thrown error: thrown, it would reach the caller as a 500.
  const user = await currentUser();
  if (!user) return { ok: false, code: "UNAUTHENTICATED", message: "Your session has ended. Sign in again." };
  const tenants = await findSignInTenants();
  if (!tenants.some((t) => t.id === tenantId)) return { ok: false, message: "That tenant is not available for Microsoft sign-in." };
  const jar = await cookies();
  const names = cookieNames(env().PORTAL_URL);
  const opts = cookieOptions(env().PORTAL_URL, LINK_INTENT_TTL_S);
  jar.set(names.signInTenant, tenantId, opts);
  jar.set(names.linkIntent, createLinkIntent(user.id, tenantId), opts);
  return { ok: true };
}
