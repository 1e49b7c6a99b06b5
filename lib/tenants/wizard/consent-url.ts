import "server-only";
import type { SessionUser } from "@/lib/auth/session";
import { hostsFor } from "@/lib/tenants/clouds";
import { signConsentState } from "./consent-state";
import type { WizardTenant } from "./load-wizard-tenant";
import { portalRedirectUris } from "./tenant-scripts";

/**
 * The v2 admin consent URL (GRAPH-FACTS §5): {login}/{tenant}/v2.0/adminconsent?client_id&scope&redirect_uri&state.
 * `scope` is Graph's .default: everything the app registration statically requests.
 */
export function adminConsentUrl(actor: SessionUser, t: Pick<WizardTenant, "id" | "cloud" | "loginUrl" | "graphUrl" | "directoryId" | "clientId">): string | null {
  if (!t.clientId) return null;
  const { loginUrl, graphUrl } = hostsFor(t);
  const url = new URL(`${loginUrl}/${encodeURIComponent(t.directoryId)}/v2.0/adminconsent`);
  url.searchParams.set("client_id", t.clientId);
  url.searchParams.set("scope", `${new URL(graphUrl).origin}/.default`);
  url.searchParams.set("redirect_uri", portalRedirectUris().consent);
  url.searchParams.set("state", signConsentState(t.id, actor.id));
  return url.toString();
}
