import "server-only";
import { ConfidentialClientApplication, LogLevel, type Configuration } from "@azure/msal-node";
import type { TenantAccess } from "./tenant-access";
import { toGraphAppError } from "./errors";
import { msalNetwork } from "../net/msal-network";

/**
 * App-only tokens with MSAL (client credentials, secret or certificate). One MSAL client per tenant and
 * credential version, so its token cache is reused (MSAL renews 5 minutes before expiry).
 *
 * The same code serves every cloud: the authority is the tenant's login host, listed in knownAuthorities
 * (host WITH port, shared/LIBRARY-NOTES.md) so MSAL skips Microsoft's instance discovery and reads the
 * authority's own OpenID configuration — for login.microsoftonline.com and for the sandbox alike.
 */
const clients = new Map<string, { version: string; app: ConfidentialClientApplication }>();

export function msalConfiguration(t: TenantAccess): Configuration {
  const authority = `${t.loginUrl}/${t.directoryId}`;
  const base = { clientId: t.clientId, authority, knownAuthorities: [new URL(t.loginUrl).host] };
  return {
    auth:
      t.credential.kind === "secret"
        ? { ...base, clientSecret: t.credential.secret }
        : { ...base, clientCertificate: { thumbprintSha256: t.credential.thumbprintSha256, privateKey: t.credential.privateKeyPem } },
    // Never log PII or tokens; MSAL's own messages are dropped (errors surface as exceptions). Token and
    // metadata requests honour HTTPS_PROXY/NO_PROXY (lib/net/proxy.ts).
    system: { loggerOptions: { logLevel: LogLevel.Error, piiLoggingEnabled: false, loggerCallback: () => undefined }, networkClient: msalNetwork },
  };
}

export function msalClient(t: TenantAccess): ConfidentialClientApplication {
  const cached = clients.get(t.id);
  if (cached && cached.version === t.version) return cached.app;
  const app = new ConfidentialClientApplication(msalConfiguration(t));
  clients.set(t.id, { version: t.version, app });
  return app;
}

export function graphScope(t: TenantAccess): string {
  // App-only tokens ask for the resource's .default scope; Graph's resource id is its base URL.
  return `${new URL(t.graphUrl).origin}/.default`;
}

type AppToken = { accessToken: string; expiresOn: Date | null };
const inFlight = new Map<string, Promise<AppToken>>();

/**
 * An app-only token from MSAL's cache, or from Entra ID. Concurrent callers for one tenant share one
 * request: when the outbox starts several sends at once with an empty cache, Entra ID is asked once,
 * not once per send (MSAL itself does not coalesce, and it reuses one signed client assertion for its
 * lifetime, so parallel requests would present the same assertion several times).
 */
export async function appToken(t: TenantAccess, opts: { skipCache?: boolean } = {}): Promise<AppToken> {
  if (opts.skipCache) return fetchAppToken(t, opts);
  const key = `${t.id}|${t.version}`;
  const pending = inFlight.get(key);
  if (pending) return pending;
  const p = fetchAppToken(t, opts).finally(() => inFlight.delete(key));
  inFlight.set(key, p);
  return p;
}

async function fetchAppToken(t: TenantAccess, opts: { skipCache?: boolean }): Promise<AppToken> {
  try {
    // A forced fresh token comes from a client of its own: MSAL signs one client assertion per client and
    // presents it again on the next request, so a second request through the shared client soon after
    // (the wizard's Restrict pickers, then Prove) would replay its jti, which Entra ID refuses (AADSTS700027).
    const app = opts.skipCache ? new ConfidentialClientApplication(msalConfiguration(t)) : msalClient(t);
    const result = await app.acquireTokenByClientCredential({ scopes: [graphScope(t)], skipCache: opts.skipCache });
    if (!result?.accessToken) throw new Error("MSAL returned no access token");
    // The fresh token is what Entra ID says now (a role removed, a consent granted): the fresh client, with
    // it in its cache, becomes the tenant's client, so the sends and jobs after it do not go on with the old one.
    if (opts.skipCache) clients.set(t.id, { version: t.version, app });
    return { accessToken: result.accessToken, expiresOn: result.expiresOn };
  } catch (err) {
    throw toGraphAppError(err, {});
  }
}

/** Decodes a JWT's claims for display (never to authorize: Graph tokens are not ours to validate). */
export function decodeClaims(token: string): Record<string, unknown> {
  const payload = token.split(".")[1];
  if (!payload) return {};
  try {
    return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    return {};
  }
}
