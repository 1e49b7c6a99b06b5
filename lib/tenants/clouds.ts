import type { Cloud } from "@/generated/prisma/enums";

/**
 * Where each Microsoft cloud's login and Graph hosts are (national cloud deployments:
 * graph/deployments, entra/identity-platform/authentication-national-cloud). The Sandbox cloud has no
 * fixed hosts: they come from configuration (the tenant's loginUrl/graphUrl), so one code path serves
 * every cloud and the portal never special-cases the sandbox.
 */
export const CLOUDS: Record<Cloud, { label: string; loginUrl?: string; graphUrl?: string }> = {
  global: { label: "Global (worldwide)", loginUrl: "https://login.microsoftonline.com", graphUrl: "https://graph.microsoft.com" },
  usgov: { label: "US Government (GCC High)", loginUrl: "https://login.microsoftonline.us", graphUrl: "https://graph.microsoft.us" },
  usgovdod: { label: "US Government (DoD)", loginUrl: "https://login.microsoftonline.us", graphUrl: "https://dod-graph.microsoft.us" },
  china: { label: "China (21Vianet)", loginUrl: "https://login.chinacloudapi.cn", graphUrl: "https://microsoftgraph.chinacloudapi.cn" },
  sandbox: { label: "Sandbox (local stand-in)" },
};

export interface CloudHosts {
  loginUrl: string;
  graphUrl: string;
}

export function hostsFor(t: { cloud: Cloud; loginUrl: string | null; graphUrl: string | null }): CloudHosts {
  const c = CLOUDS[t.cloud];
  const loginUrl = (t.loginUrl ?? c.loginUrl)?.replace(/\/+$/, "");
  const graphUrl = (t.graphUrl ?? c.graphUrl)?.replace(/\/+$/, "");
  if (!loginUrl || !graphUrl) throw new Error(`Tenant on cloud "${t.cloud}" has no login/Graph URL configured`);
  return { loginUrl, graphUrl };
}

export function authorityFor(t: { cloud: Cloud; loginUrl: string | null; graphUrl: string | null; directoryId: string }): string {
  return `${hostsFor(t).loginUrl}/${t.directoryId}`;
}
