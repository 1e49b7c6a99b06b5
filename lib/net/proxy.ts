import "server-only";
import http from "node:http";
import https from "node:https";
import type { Duplex } from "node:stream";
import { Agent as DecidingAgent, type AgentConnectOpts } from "agent-base";
import { HttpsProxyAgent } from "https-proxy-agent";
import { getProxyForUrl } from "proxy-from-env";
import { fetch as undiciFetch, ProxyAgent } from "undici";

/**
 * The one place that decides whether an outbound call goes through a corporate HTTP(S) proxy: tokens
 * (MSAL, lib/graph/tokens.ts), Graph (the SDK, lib/graph/client.ts), upload sessions
 * (lib/graph/upload-session.ts) and Microsoft sign-in (next-auth's openid-client, lib/auth/options.ts).
 *
 * The decision is proxy-from-env's (https://github.com/Rob--W/proxy-from-env): `HTTPS_PROXY` for https
 * URLs and `HTTP_PROXY` for http (lower-case spellings first, as curl reads them), `ALL_PROXY` as the
 * fallback, and `NO_PROXY` with the usual semantics — comma or space separated host names, a leading `.`
 * or `*.` for subdomains, an optional `:port`, `*` for everything. It is read at each request, so the
 * environment the portal was started with is the configuration; nothing else chooses.
 *
 * The proxy itself is reached with CONNECT, so TLS stays end to end with Microsoft (or the sandbox): the
 * tunnel's TLS handshake uses Node's default trust store, which includes `NODE_EXTRA_CA_CERTS` (a
 * corporate root, or the sandbox's CA).
 */
export function proxyFor(url: string | URL): string | null {
  const p = getProxyForUrl(typeof url === "string" ? url : url.href);
  return p ? p : null;
}

// ---------------------------------------------------------------------------------------------------
// Callers on node:http/https (upload sessions, openid-client): one agent that decides per request.

const tunnels = new Map<string, HttpsProxyAgent<string>>();
const tunnelTo = (proxy: string) => {
  let a = tunnels.get(proxy);
  if (!a) tunnels.set(proxy, (a = new HttpsProxyAgent(proxy, { keepAlive: true })));
  return a;
};

class ProxyDecidingAgent extends DecidingAgent {
  constructor(private readonly direct: { http: http.Agent; https: https.Agent }) {
    super({ keepAlive: true });
  }

  connect(_req: http.ClientRequest, opts: AgentConnectOpts): http.Agent | Duplex {
    const scheme = opts.secureEndpoint ? "https" : "http";
    const host = opts.host?.includes(":") ? `[${opts.host}]` : opts.host;
    const proxy = proxyFor(`${scheme}://${host}:${opts.port}/`);
    // Returning an Agent hands the request to it (agent-base ≥ 7).
    if (proxy) return tunnelTo(proxy);
    return opts.secureEndpoint ? this.direct.https : this.direct.http;
  }
}

/**
 * An http.Agent for node:http/https requests that goes through the proxy when proxyFor() says so and
 * straight to the host otherwise (keep-alive either way). `direct` are the agents used without a proxy.
 */
export function proxyAwareAgent(direct: { http: http.Agent; https: https.Agent } = { http: http.globalAgent, https: https.globalAgent }): http.Agent {
  return new ProxyDecidingAgent(direct);
}

// ---------------------------------------------------------------------------------------------------
// Callers on fetch (the Graph SDK, MSAL node 3+): undici's fetch with a ProxyAgent when proxyFor() says so.

const dispatchers = new Map<string, ProxyAgent>();
const dispatcherFor = (proxy: string) => {
  let d = dispatchers.get(proxy);
  if (!d) dispatchers.set(proxy, (d = new ProxyAgent(proxy)));
  return d;
};

const urlOf = (input: string | URL | Request): string => (typeof input === "string" ? input : input instanceof URL ? input.href : input.url);

/**
 * fetch that honours the proxy configuration. Without a proxy for the URL it is the runtime's own fetch,
 * unchanged; with one, undici's fetch through a CONNECT tunnel (ProxyAgent,
 * https://undici.nodejs.org/#/docs/api/ProxyAgent). Both return a WHATWG Response.
 */
export const proxyFetch = ((input: string | URL | Request, init?: RequestInit): Promise<Response> => {
  const proxy = proxyFor(urlOf(input));
  if (!proxy) return fetch(input, init);
  const url = urlOf(input);
  // undici's fetch takes its own Request type; a plain URL and init carry everything the callers send.
  const base = input instanceof Request ? { method: input.method, headers: input.headers, body: input.body, duplex: "half" } : {};
  return undiciFetch(url, { ...base, ...(init as object), dispatcher: dispatcherFor(proxy) } as Parameters<typeof undiciFetch>[1]) as unknown as Promise<Response>;
}) as typeof fetch;
