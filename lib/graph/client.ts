import "server-only";
import { Client } from "@microsoft/microsoft-graph-client";
import type { TenantAccess } from "./tenant-access";

/**
 * A Graph SDK client for a tenant's cloud. `customHosts` names the Graph host so the SDK sends the
 * Authorization header there (it only does so for hosts it knows — LIBRARY-NOTES.md); upload session URLs
 * are on other hosts and pre-authenticated, so they never receive the token.
 */
export function graphClient(t: Pick<TenantAccess, "graphUrl">, getAccessToken: () => Promise<string>): Client {
  const url = new URL(t.graphUrl);
  return Client.initWithMiddleware({
    baseUrl: url.origin,
    defaultVersion: "v1.0",
    customHosts: new Set([url.hostname]),
    authProvider: { getAccessToken },
  });
}
