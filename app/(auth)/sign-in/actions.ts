"use server";
import { cookies } from "next/headers";
import { SIGNIN_TENANT_COOKIE } from "@/lib/auth/options";
import { findSignInTenants } from "@/lib/tenants/find-sign-in-tenants";

/** Remembers which tenant's Microsoft sign-in the person started (read by the auth route). */
export async function chooseSignInTenant(tenantId: string): Promise<{ ok: boolean }> {
  const tenants = await findSignInTenants();
  if (!tenants.some((t) => t.id === tenantId)) return { ok: false };
  (await cookies()).set(SIGNIN_TENANT_COOKIE, tenantId, { httpOnly: true, sameSite: "lax", path: "/", maxAge: 15 * 60 });
  return { ok: true };
}
