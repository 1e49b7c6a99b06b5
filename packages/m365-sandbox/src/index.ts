/**
 * m365-sandbox's programmatic API, for other projects' test suites (README "Programmatic API"):
 *
 *   import { startSandbox } from "m365-sandbox";
 *   const sb = await startSandbox({ dataDir: ".sandbox-test", redirectUris: ["http://localhost:3000/callback"] });
 *   sb.urls.authority; sb.caFile; sb.endpoints.app.clientSecret;
 *   await sb.control.seed({ users: [{ userPrincipalName: "a@contoso.sandbox", displayName: "A" }] });
 *   await sb.control.messages({ to: "a@contoso.sandbox" });
 *   await sb.stop();
 *
 * Ports default to 0 here (free ports, so parallel suites never collide); the CLI defaults to 8443–8445.
 * The control client trusts the sandbox's CA by itself; your own clients need NODE_EXTRA_CA_CERTS (set
 * before Node starts) or an explicit `ca`, see README "Trusting the CA".
 */
import { readFileSync } from "node:fs";
import https from "node:https";
import path from "node:path";
import type { FaultConfig } from "./context";
import type { SeedResult } from "./entra/seed-input";
import type { SeedInput } from "./entra/seed-schema";
import { startSandbox as startServers, type Endpoints, type RunningSandbox } from "./server";

export type { Endpoints, RunningSandbox, StartOptions } from "./server";
export type { SeedInput } from "./entra/seed-schema";
export type { SeedResult } from "./entra/seed-input";
export type { FaultConfig, SandboxContext, SandboxUrls } from "./context";
export type { TraceEntry } from "./powershell/session";
export { seedSchema } from "./entra/seed-schema";
export { parseOpath } from "./exchange/opath";
export { DEFAULT_APP_NAME } from "./seed";

export interface SandboxOptions {
  /** CA, keys and the demo identity (kept across runs: same ids, same CA). Default ".sandbox". */
  dataDir?: string;
  /** Ports of the login (Entra, control API), Graph and upload hosts. Default 0: free ports. */
  loginPort?: number;
  graphPort?: number;
  uploadPort?: number;
  /** Listen address; default loopback. The TLS certificate names localhost, 127.0.0.1 and ::1 only. */
  host?: string;
  /** Redirect URIs of the demo app (none by default). For http://localhost the port is ignored, as on Entra. */
  redirectUris?: string[];
  /** Display name of the demo app. Default "Sandbox demo app". */
  appDisplayName?: string;
  /** Extra directory objects (the POST /_sandbox/seed body), applied at start and after every reset. */
  seed?: SeedInput;
  /** Also write <dataDir>/endpoints.json (mode 600), as the CLI does. Default false. */
  writeEndpointsFile?: boolean;
  /** Log request handler failures to stderr. Default false. */
  verbose?: boolean;
}

export interface SandboxUrlSet {
  /** Entra ID host, e.g. https://localhost:8443 */
  login: string;
  /** `${login}/${tenant id}`: the authority for MSAL (add `knownAuthorities: [new URL(login).host]`). */
  authority: string;
  /** Graph host; requests go to `${graph}/v1.0/…`. */
  graph: string;
  /** Host of pre-authenticated upload URLs (a different host name on purpose). */
  upload: string;
  /** Control API, `${login}/_sandbox`. */
  control: string;
  /** Inbox view for people. */
  inbox: string;
}

/** A delivered copy, as GET {controlUrl}/messages returns it (README "Mail control API"). */
export interface DeliveredMessage {
  id: string;
  mailbox: string;
  folder: string;
  from: { address: string; name?: string };
  to: { address: string; name?: string }[];
  cc: { address: string; name?: string }[];
  bcc: { address: string; name?: string }[];
  subject: string;
  body: { contentType: string; content: string };
  internetMessageHeaders: { name: string; value: string }[];
  attachments: { name: string; size: number; sha256: string; contentType: string; downloadUrl: string }[];
  receivedDateTime: string;
}

export class SandboxControlError extends Error {
  constructor(
    public readonly status: number,
    public readonly body: unknown,
    where: string,
  ) {
    super(`sandbox control ${where}: HTTP ${status} ${typeof body === "string" ? body : JSON.stringify(body)}`);
  }
}

export interface SandboxControl {
  /** Any control call: JSON in, JSON out; throws SandboxControlError on a status ≥ 300. */
  call<T = unknown>(method: "GET" | "POST" | "DELETE", p: string, body?: unknown): Promise<T>;
  /** Back to the seeded tenant; faults, clock, sessions and delivered mail cleared. */
  reset(): Promise<void>;
  seed(body: SeedInput): Promise<SeedResult>;
  messages(query?: { to?: string; from?: string; subject?: string; folder?: "inbox" | "sentitems" | "all" }): Promise<DeliveredMessage[]>;
  faults(config: Partial<FaultConfig> & { clientId?: string; mailbox?: string }): Promise<void>;
  advanceClock(seconds: number): Promise<void>;
}

export interface Sandbox {
  urls: SandboxUrlSet;
  /** Absolute path of the sandbox CA (PEM). */
  caFile: string;
  /** The whole public contract: tenant, demo app credentials, users and passwords, mailboxes (README "endpoints.json"). */
  endpoints: Endpoints;
  /** What `seed` added at start (ids, generated secrets). */
  seeded?: SeedResult;
  control: SandboxControl;
  /** Closes the servers (in-flight connections are dropped). */
  stop(): Promise<void>;
  /** In-process access to the running sandbox (its store and clock), for white-box tests. */
  running: RunningSandbox;
}

function controlClient(controlUrl: string, ca: string): SandboxControl {
  const call = <T,>(method: string, p: string, body?: unknown): Promise<T> =>
    new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = https.request(`${controlUrl}${p}`, { method, ca, headers: data ? { "content-type": "application/json", "content-length": Buffer.byteLength(data) } : {} }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown = text;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            /* not JSON: keep the text */
          }
          if ((res.statusCode ?? 500) >= 300) reject(new SandboxControlError(res.statusCode ?? 500, json, `${method} ${p}`));
          else resolve(json as T);
        });
      });
      req.on("error", reject);
      req.end(data);
    });
  return {
    call,
    reset: async () => void (await call("POST", "/reset")),
    seed: (body) => call<SeedResult>("POST", "/seed", body),
    messages: (q = {}) => {
      const qs = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => typeof e[1] === "string")).toString();
      return call<DeliveredMessage[]>("GET", `/messages${qs ? `?${qs}` : ""}`);
    },
    faults: async (config) => void (await call("POST", "/faults", config)),
    advanceClock: async (seconds) => void (await call("POST", "/clock", { advanceSeconds: seconds })),
  };
}

/** Starts the sandbox in this process. Invalid `seed` input rejects with a SeedError naming the fields. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const dataDir = path.resolve(options.dataDir ?? ".sandbox");
  const running = await startServers({
    dataDir,
    loginPort: options.loginPort ?? 0,
    graphPort: options.graphPort ?? 0,
    uploadPort: options.uploadPort ?? 0,
    quiet: !options.verbose,
    ...(options.host ? { host: options.host } : {}),
    ...(options.redirectUris ? { redirectUris: options.redirectUris } : {}),
    ...(options.appDisplayName ? { appDisplayName: options.appDisplayName } : {}),
    ...(options.seed ? { seed: options.seed as Record<string, unknown> } : {}),
  });
  const e = running.endpoints;
  if (options.writeEndpointsFile) {
    const { writeFileAtomic } = await import("./certs");
    writeFileAtomic(path.join(dataDir, "endpoints.json"), JSON.stringify(e, null, 2) + "\n", 0o600);
  }
  return {
    urls: { login: e.loginUrl, authority: e.authority, graph: e.graphUrl, upload: e.uploadUrl, control: e.controlUrl, inbox: e.inboxUrl },
    caFile: e.caFile,
    endpoints: e,
    ...(running.seeded ? { seeded: running.seeded } : {}),
    control: controlClient(e.controlUrl, readFileSync(e.caFile, "utf8")),
    stop: () => running.close(),
    running,
  };
}

export { SeedError } from "./entra/seed-input";
