import { NextResponse } from "next/server";
import { route } from "@/lib/api";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { recordConsent } from "@/lib/tenants/wizard/record-consent";

/**
 * Where Entra ID's admin consent returns (?admin_consent=True&tenant&scope&state, or ?error&error_description&state).
 * The signed state decides which tenant; the answer is recorded and the admin goes back to the consent step.
 */
export const GET = route({ roles: ["admin"] }, async ({ req, user }) => {
  const q = req.nextUrl.searchParams;
  const to = (path: string) => NextResponse.redirect(new URL(path, env().PORTAL_URL), 303);
  try {
    const error = q.get("error");
    const r = await recordConsent(user, { state: q.get("state"), adminConsent: q.get("admin_consent"), error, errorDescription: q.get("error_description") });
    if (r.granted) return to(`/setup/${r.tenantId}/consent?result=granted`);
    const back = new URLSearchParams({ error: (error ?? "unknown").slice(0, 100), error_description: (q.get("error_description") ?? "").slice(0, 1000) });
    return to(`/setup/${r.tenantId}/consent?${back.toString()}`);
  } catch (err) {
    if (err instanceof AppError && err.code === "CONSENT_STATE_INVALID") return to("/setup?consent=invalid");
    throw err;
  }
});
