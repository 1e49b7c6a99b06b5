/**
 * startSandbox: the three HTTPS servers of the sandbox tenant.
 *   login host  https://localhost:<loginPort>   Entra ID (+ control API and inbox under /_sandbox)
 *   Graph host  https://localhost:<graphPort>   Microsoft Graph v1.0
 *   upload host https://127.0.0.1:<uploadPort>  pre-authenticated upload URLs — a different host NAME,
 *     so the Graph SDK sends no Authorization header there (LIBRARY-NOTES, "LargeFileUploadTask").
 * One TLS certificate (localhost, 127.0.0.1, ::1) issued by the sandbox CA (certs.ts).
 */
import https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { ensureCerts } from "./certs";
import { createClock } from "./clock";
import type { FaultConfig, SandboxContext, SandboxUrls } from "./context";
import { registerControlRoutes, runResetHooks } from "./control";
import { registerEntraRoutes } from "./entra/routes";
import { registerMailControlRoutes } from "./exchange/control-routes";
import { registerGraphRoutes } from "./graph/routes";
import { registerUploadRoutes } from "./graph/upload-routes";
import { registerUploadLimitRoutes } from "./graph/upload-limits";
import { resetEntraState } from "./entra/state";
import { graphTokenVerifier, signingFromKey } from "./entra/tokens";
import { Router, sendJson } from "./http";
import { ensureDemoIdentity } from "./identity";
import { emptyStore } from "./model";
import { clearStore, seedDemoTenant } from "./seed";
import { applySeed } from "./entra/seed-apply";
import { SeedError, type SeedResult } from "./entra/seed-input";
import { seedShapeProblems } from "./entra/seed-schema";

export interface Endpoints {
  loginUrl: string;
  graphUrl: string;
  uploadUrl: string;
  controlUrl: string;
  inboxUrl: string;
  /** loginUrl + "/" + tenant.id */
  authority: string;
  /** Absolute path of the sandbox CA certificate (PEM) — trust it with NODE_EXTRA_CA_CERTS. */
  caFile: string;
  tenant: { id: string; domain: string };
  app: {
    clientId: string;
    clientSecret: string;
    certificateFile: string;
    privateKeyFile: string;
    /** Hex thumbprints as MSAL's clientCertificate takes them (SHA-256 preferred, SHA-1 deprecated). */
    thumbprintSha256: string;
    thumbprint: string;
  };
  mailboxes: { allowed: string; outsidePolicy: string; shared: string };
  users: { upn: string; password: string; displayName: string }[];
  group: string;
}

export interface RunningSandbox {
  ctx: SandboxContext;
  endpoints: Endpoints;
  /** What the seed (StartOptions.seed) added at start: ids and generated secrets. */
  seeded?: SeedResult;
  close(): Promise<void>;
}

export interface StartOptions {
  dataDir: string;
  loginPort?: number;
  graphPort?: number;
  uploadPort?: number;
  /**
   * The address to listen on. Default: loopback only (127.0.0.1, and ::1 when the machine has it).
   * The TLS certificate names localhost, 127.0.0.1 and ::1 only, and the URLs handed out use them.
   */
  host?: string;
  /** Redirect URIs of the demo app (none by default: the app that signs in registers its own). */
  redirectUris?: string[];
  /** Display name of the demo app (default "Sandbox demo app"). */
  appDisplayName?: string;
  /**
   * Directory objects added after the demo tenant, in the POST {controlUrl}/seed shape (validated the
   * same way; invalid input fails the start naming the fields). Applied again after every reset.
   */
  seed?: Record<string, unknown>;
  quiet?: boolean;
}

/** No redirect URIs are registered by default: pass the callback of whatever signs in. */
export const DEFAULT_REDIRECT_URIS: string[] = [];

export function defaultFaults(): FaultConfig {
  return { rate: 0, statuses: [429, 503], retryAfterSeconds: 1, latencyMs: 0 };
}


function handler(router: Router, base: () => string, quiet: boolean) {
  return (req: IncomingMessage, res: ServerResponse) => {
    router
      .handle(req, res, base())
      .then((matched) => {
        if (!matched) sendJson(res, 404, { error: { code: "NotFound", message: `No sandbox route for ${req.method} ${new URL(req.url ?? "/", base()).pathname}` } });
      })
      .catch((e: unknown) => {
        if (!quiet) console.error("[sandbox]", req.method, req.url, e);
        if (!res.headersSent) sendJson(res, 500, { error: { code: "InternalServerError", message: "The sandbox failed to handle this request." } });
        else res.destroy();
      });
  };
}

type Listener = { servers: https.Server[]; port: number };

/**
 * Listens on 127.0.0.1 and, when the machine has IPv6, on ::1 with the same port: Node resolves
 * "localhost" in the resolver's order, often ::1 first. With an ephemeral port (0), a port that is
 * free on 127.0.0.1 but taken on ::1 (by another sandbox, with the same CA) is given up and another
 * one tried, so a client can never reach the wrong server.
 */
/**
 * Idle keep-alive connections stay open for 120 s, as front ends of cloud services keep them for minutes
 * (Microsoft's exact idle timeout for graph.microsoft.com is unconfirmed). Node's default of 5 s is shorter
 * than clients expect: a client (undici keeps idle sockets 4 s) can then reuse a socket at the moment the
 * server closes it, and a POST on it fails with "other side closed" after the request may have left —
 * a race a real Graph front end does not produce at these intervals.
 */
const KEEP_ALIVE_MS = 120_000;

async function listen(build: () => https.Server, port: number, dualStack: boolean, host?: string): Promise<Listener> {
  const make = () => {
    const s = build();
    s.keepAliveTimeout = KEEP_ALIVE_MS;
    // Must exceed keepAliveTimeout, or Node closes a kept-alive socket that starts a slow request.
    s.headersTimeout = KEEP_ALIVE_MS + 5_000;
    return s;
  };
  if (host) {
    const only = make();
    await new Promise<void>((resolve, reject) => only.once("error", reject).listen(port, host, resolve));
    return { servers: [only], port: (only.address() as AddressInfo).port };
  }
  for (let attempt = 0; ; attempt++) {
    const first = make();
    await new Promise<void>((resolve, reject) => first.once("error", reject).listen(port, "127.0.0.1", resolve));
    const actual = (first.address() as AddressInfo).port;
    if (!dualStack) return { servers: [first], port: actual };
    const second = make();
    const err = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => second.once("error", resolve).listen(actual, "::1", () => resolve(undefined)));
    if (!err) return { servers: [first, second], port: actual };
    // No IPv6 loopback on this machine: 127.0.0.1 alone is right.
    if (err.code === "EADDRNOTAVAIL" || err.code === "EAFNOSUPPORT") return { servers: [first], port: actual };
    await new Promise<void>((resolve) => first.close(() => resolve()));
    if (port !== 0 || attempt >= 20) throw err;
  }
}

export async function startSandbox(opts: StartOptions): Promise<RunningSandbox> {
  const dataDir = path.resolve(opts.dataDir);
  const quiet = opts.quiet ?? false;
  const certs = ensureCerts(dataDir);
  const identity = ensureDemoIdentity(dataDir);
  const redirectUris = opts.redirectUris?.length ? opts.redirectUris : DEFAULT_REDIRECT_URIS;
  const demo = opts.appDisplayName ? { appDisplayName: opts.appDisplayName } : {};
  // A seed of the wrong shape is refused before anything listens (references are checked once seeded).
  const shape = opts.seed ? seedShapeProblems(opts.seed) : new Map<string, string>();
  if (shape.size) throw new SeedError([...shape.keys()], shape);
  const tls = { cert: certs.serverCertPem, key: certs.serverKeyPem };

  const loginRouter = new Router();
  const graphRouter = new Router();
  const uploadRouter = new Router();
  // Base URLs are known only once the ports are bound (port 0 = ephemeral); handlers read them late.
  const urls: SandboxUrls = { loginUrl: "", graphUrl: "", uploadUrl: "", controlUrl: "" };
  const login = await listen(() => https.createServer(tls, handler(loginRouter, () => urls.loginUrl, quiet)), opts.loginPort ?? 8443, true, opts.host);
  const graph = await listen(() => https.createServer(tls, handler(graphRouter, () => urls.graphUrl, quiet)), opts.graphPort ?? 8444, true, opts.host);
  const upload = await listen(() => https.createServer(tls, handler(uploadRouter, () => urls.uploadUrl, quiet)), opts.uploadPort ?? 8445, false, opts.host);
  const loginUrl = `https://localhost:${login.port}`;
  Object.assign(urls, { loginUrl, graphUrl: `https://localhost:${graph.port}`, uploadUrl: `https://127.0.0.1:${upload.port}`, controlUrl: `${loginUrl}/_sandbox` });

  const clock = createClock();
  const ctx: SandboxContext = {
    store: emptyStore(),
    urls,
    dataDir,
    clock,
    faults: defaultFaults(),
    scopedFaults: [],
    signing: await signingFromKey(certs.signingKey),
    verifyGraphToken: graphTokenVerifier(() => ctx),
  };

  const summary = seedDemoTenant(ctx.store, identity, new Date(clock.now()), redirectUris, demo);
  let seeded: SeedResult | undefined;
  try {
    seeded = opts.seed ? applySeed(ctx, opts.seed) : undefined;
  } catch (e) {
    await closeAll([...login.servers, ...graph.servers, ...upload.servers]);
    throw e;
  }
  const reset = () => {
    clearStore(ctx.store);
    clock.reset();
    ctx.faults = defaultFaults();
    ctx.scopedFaults = [];
    resetEntraState(ctx);
    seedDemoTenant(ctx.store, identity, new Date(clock.now()), redirectUris, demo);
    if (opts.seed) applySeed(ctx, opts.seed);
    runResetHooks(ctx);
  };

  registerEntraRoutes(loginRouter, ctx);
  registerControlRoutes(loginRouter, ctx, { reset });
  registerMailControlRoutes(loginRouter, ctx);
  registerGraphRoutes(graphRouter, ctx);
  registerUploadRoutes(uploadRouter, ctx);
  registerUploadLimitRoutes(loginRouter, ctx);

  const endpoints: Endpoints = {
    ...urls,
    inboxUrl: `${urls.controlUrl}/inbox`,
    authority: `${loginUrl}/${identity.tenantId}`,
    caFile: certs.caFile,
    tenant: { id: identity.tenantId, domain: identity.domain },
    app: {
      clientId: identity.appId,
      clientSecret: identity.clientSecret,
      certificateFile: identity.certificateFile,
      privateKeyFile: identity.privateKeyFile,
      thumbprintSha256: Buffer.from(identity.x5tS256, "base64url").toString("hex").toUpperCase(),
      thumbprint: Buffer.from(identity.x5t, "base64url").toString("hex").toUpperCase(),
    },
    ...summary,
  };

  const all = [...login.servers, ...graph.servers, ...upload.servers];
  return { ctx, endpoints, ...(seeded ? { seeded } : {}), close: () => closeAll(all) };
}

async function closeAll(servers: https.Server[]): Promise<void> {
  await Promise.all(
    servers.map(
      (s) =>
        new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        }),
    ),
  );
}
