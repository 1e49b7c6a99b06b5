import "server-only";
import type { SessionUser } from "@/lib/auth/session";
import { hostsFor } from "@/lib/tenants/clouds";
import { issueConsentState } from "./consent-state";
import { loadWizardTenant } from "./load-wizard-tenant";
import { portalRedirectUris } from "./tenant-scripts";

/**
 * The v2 admin consent URL (GRAPH-FACTS §5): {login}/{tenant}/v2.0/adminconsent?client_id&scope&redirect_uri&state
 * (https://learn.microsoft.com/entra/identity-platform/v2-admin-consent). `scope` is Graph's .default:
 * everything the app registration statically requests. Each call issues a new single-use state, so it
 * is made when the admin presses the button (a POST), never while a page renders.
 */
export async function startAdminConsent(actor: SessionUser, tenantId: string): Promise<string | null> {
  const t = await loadWizardTenant(actor, tenantId);
  if (!t.clientId) return null;
  const { loginUrl, graphUrl } = hostsFor(t);
  const url = new URL(`${loginUrl}/${encodeURIComponent(t.directoryId)}/v2.0/adminconsent`);
  url.searchParams.set("client_id", t.clientId);
  url.searchParams.set("scope", `${new URL(graphUrl).origin}/.default`);
  url.searchParams.set("redirect_uri", portalRedirectUris().consent);
  url.searchParams.set("state", await issueConsentState(t.id, actor.id));
  return url.toString();
}
