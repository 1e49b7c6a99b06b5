import "server-only";
import { AuthError, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from "@azure/msal-node";
import { proxyFetch } from "./proxy";

/**
 * MSAL node's network module (`system.networkClient`,
 * https://learn.microsoft.com/entra/msal/javascript/node/configuration#system-config-options) on the
 * portal's proxy decision (lib/net/proxy.ts). It does what MSAL's own HttpClient does — GET and POST,
 * the timeout by AbortController, the JSON body parsed — with proxyFetch instead of the global fetch,
 * which MSAL 3+ uses with no proxy option of its own.
 */
async function send<T>(url: string, method: "GET" | "POST", options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
  const controller = new AbortController();
  const timer = timeout ? setTimeout(() => controller.abort(), timeout) : undefined;
  let res: Response;
  try {
    res = await proxyFetch(url, { method, headers: options?.headers, body: method === "POST" ? (options?.body ?? "") : undefined, signal: controller.signal });
  } catch (err) {
    const why = err instanceof Error && err.name === "AbortError" ? "Request timeout" : `Network request failed: ${err instanceof Error ? err.message : "unknown"}`;
    throw Object.assign(new AuthError("network_error", why), { cause: err });
  } finally {
    if (timer) clearTimeout(timer);
  }
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => (headers[k] = v));
  let body: T;
  try {
    body = (await res.json()) as T;
  } catch (err) {
    throw Object.assign(new AuthError("token_parsing_error", `Failed to parse response: ${err instanceof Error ? err.message : "unknown"}`), { cause: err });
  }
  return { headers, body, status: res.status };
}

export const msalNetwork: INetworkModule = {
  sendGetRequestAsync: (url, options, timeout) => send(url, "GET", options, timeout),
  sendPostRequestAsync: (url, options) => send(url, "POST", options),
};
