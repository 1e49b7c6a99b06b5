import "server-only";
import { Client, MiddlewareFactory, type Context, type Middleware } from "@microsoft/microsoft-graph-client";
import { NOT_CONNECTED } from "./errors";
import { proxyFetch } from "../net/proxy";
import type { TenantAccess } from "./tenant-access";

/**
 * Socket errors that happen before a connection exists, so no byte of the request can have left:
 * refused, unknown host, unreachable network, connect timeout (Node's net/dns errors and undici's
 * UND_ERR_CONNECT_TIMEOUT — https://nodejs.org/api/errors.html#common-system-errors,
 * https://undici.nodejs.org/#/docs/api/Errors). Anything else (reset, timeout after connecting) may
 * have reached Microsoft.
 */
const BEFORE_CONNECT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);

function socketCode(err: unknown): string | null {
  for (let e = err, depth = 0; e && typeof e === "object" && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && BEFORE_CONNECT.has(code)) return code;
    const nested = (e as { errors?: unknown }).errors; // AggregateError from happy-eyeballs connects
    if (Array.isArray(nested) && nested.length > 0 && nested.every((x) => BEFORE_CONNECT.has(String((x as { code?: unknown }).code)))) return String((nested[0] as { code: unknown }).code);
  }
  return null;
}

/**
 * Sits just before the SDK's HTTPMessageHandler (fetch): a fetch that failed before any connection was
 * made is re-thrown as an Error named NOT_CONNECTED, which the SDK copies into GraphError.code
 * (GraphErrorHandler.constructError). The outbox then knows the request never left and may try again,
 * where any other network failure of a send call is `uncertain`.
 */
class ConnectionCheck implements Middleware {
  private next?: Middleware;

  async execute(context: Context): Promise<void> {
    try {
      await this.next!.execute(context);
    } catch (err) {
      const code = socketCode(err);
      if (!code) throw err;
      const e = new Error(`No connection to ${new URL(String(context.request instanceof Request ? context.request.url : context.request)).host} (${code}); nothing was sent.`);
      e.name = NOT_CONNECTED;
      throw e;
    }
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

/**
 * The end of the chain, in place of the SDK's HTTPMessageHandler (which calls the global fetch): the same
 * call on proxyFetch, so Graph requests honour HTTPS_PROXY/NO_PROXY (lib/net/proxy.ts).
 */
class ProxyAwareFetch implements Middleware {
  async execute(context: Context): Promise<void> {
    context.response = await proxyFetch(context.request, context.options as RequestInit);
  }
}

/**
 * A Graph SDK client for a tenant's cloud. `customHosts` names the Graph host so the SDK sends the
 * Authorization header there (it only does so for hosts it knows — LIBRARY-NOTES.md); upload session URLs
 * are on other hosts and pre-authenticated, so they never receive the token. The SDK's default
 * middleware chain is kept, with ConnectionCheck before the fetch and the fetch itself proxy-aware.
 */
export function graphClient(t: Pick<TenantAccess, "graphUrl">, getAccessToken: () => Promise<string>): Client {
  const url = new URL(t.graphUrl);
  const middleware = MiddlewareFactory.getDefaultMiddlewareChain({ getAccessToken });
  // HTTPClient links the array itself (setNext), so the SDK's HTTPMessageHandler can simply be replaced.
  middleware.splice(middleware.length - 1, 1, new ConnectionCheck(), new ProxyAwareFetch());
  return Client.initWithMiddleware({
    baseUrl: url.origin,
    defaultVersion: "v1.0",
    customHosts: new Set([url.hostname]),
    middleware,
  });
}
