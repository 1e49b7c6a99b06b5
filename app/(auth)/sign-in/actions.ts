"use server";
import { cookies } from "next/headers";
import { cookieNames, cookieOptions } from "@/lib/auth/cookies";
import { env } from "@/lib/env";
import { findSignInTenants } from "@/lib/tenants/find-sign-in-tenants";

/** Remembers which tenant's Microsoft sign-in the person started (read by the auth route). */
export async function chooseSignInTenant(tenantId: string): Promise<{ ok: boolean }> {
  const tenants = await findSignInTenants();
  if (!tenants.some((t) => t.id === tenantId)) return { ok: false };
  (await cookies()).set(cookieNames(env().PORTAL_URL).signInTenant, tenantId, cookieOptions(env().PORTAL_URL, 15 * 60));
  return { ok: true };
}
