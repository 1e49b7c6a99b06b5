import { NextResponse } from "next/server";
import { route } from "@/lib/api";
import { recordAudit } from "@/lib/audit/record";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { clientIp } from "@/lib/rate-limit/client-ip";
import { hit } from "@/lib/rate-limit/hit";
import { recordConsent } from "@/lib/tenants/wizard/record-consent";

/**
 * Where Entra ID's admin consent returns (?admin_consent=True&tenant&scope&state, or ?error&error_description&state).
 * A GET because that is how Microsoft redirects back; what it changes is guarded by the single-use state
 * bound to this admin's session (lib/tenants/wizard/consent-state.ts), and it is rate-limited per address.
 * The answer is recorded and the admin goes back to the consent step; a refused callback goes to /setup
 * with the reason (?consent=…).
 */
export const GET = route({ roles: ["admin"] }, async ({ req, user }) => {
  const q = req.nextUrl.searchParams;
  const to = (path: string) => NextResponse.redirect(new URL(path, env().PORTAL_URL), 303);
  const ip = clientIp((name) => req.headers.get(name));
  const gate = await hit([{ limit: "consentCallbackIp", key: ip }]);
  if (!gate.ok) {
    if (gate.firstRefusal) await recordAudit({ actor: user, action: "tenant.consent-callback-refused", after: { reason: "too many callbacks", ip } });
    return to("/setup?consent=too-many");
  }
  try {
    const error = q.get("error");
    const r = await recordConsent(user, { state: q.get("state"), adminConsent: q.get("admin_consent"), error, errorDescription: q.get("error_description") });
    if (r.reported) return to(`/setup/${r.tenantId}/consent?result=reported`);
    const back = new URLSearchParams({ error: (error ?? "unknown").slice(0, 100), error_description: (q.get("error_description") ?? "").slice(0, 1000) });
    return to(`/setup/${r.tenantId}/consent?${back.toString()}`);
  } catch (err) {
    if (err instanceof AppError && err.code === "CONSENT_STATE_INVALID") return to(`/setup?consent=${String(err.details?.reason ?? "unknown")}`);
    throw err;
  }
});
