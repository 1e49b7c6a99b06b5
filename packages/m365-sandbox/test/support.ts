/**
 * Test support: an in-process sandbox on ephemeral ports (dataDir .sandbox-test, prepared by
 * tests/global-setup.ts), plus helpers built on the REAL MSAL for Node.
 *
 *   const sb = await startTestSandbox();       // afterAll(() => sb.close())
 *   const token = await sb.appTokenFor();      // app-only Graph token of the demo app (client secret)
 *   const msal = sb.msalApp({ certificate: "sha256" });
 *   await sb.control("/reset");                 // POST {controlUrl}/reset → { status, json }
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ConfidentialClientApplication, LogLevel, type Configuration } from "@azure/msal-node";
import { startSandbox, type Endpoints, type RunningSandbox } from "../src/server";

export const TEST_DATA_DIR = process.env.SANDBOX_TEST_DATA_DIR ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", ".sandbox-test");
export const GRAPH_DEFAULT = "https://graph.microsoft.com/.default";
/** The demo app's redirect URI in these tests (the sandbox registers none by default). */
export const TEST_REDIRECT_URI = "http://localhost:3000/callback";

export interface MsalAppOptions {
  clientId?: string;
  /** Client secret; defaults to the demo app's secret unless `certificate` is set. */
  secret?: string;
  /** Use the demo app's certificate: "sha256" → PS256 + x5t#S256, "sha1" → RS256 + x5t (deprecated). */
  certificate?: "sha256" | "sha1";
  /** Certificate credential with other PEMs (e.g. an unregistered key). */
  certificatePem?: { certificate: string; privateKey: string };
  /** Tenant segment of the authority (GUID, domain, "organizations"); defaults to the demo tenant id. */
  tenant?: string;
}

interface Addr {
  address: string;
  name?: string;
}

/** A delivered copy as GET {controlUrl}/messages returns it. */
export interface DeliveredJson {
  id: string;
  mailbox: string;
  folder: string;
  from: Addr;
  to: Addr[];
  cc: Addr[];
  bcc: Addr[];
  subject: string;
  body: { contentType: string; content: string };
  internetMessageHeaders: { name: string; value: string }[];
  attachments: { name: string; size: number; sha256: string; contentType: string; downloadUrl: string }[];
}

export interface ControlResponse<T = unknown> {
  status: number;
  json: T;
}

export interface TestSandbox extends RunningSandbox {
  endpoints: Endpoints;
  /** fetch {controlUrl}{path}: POST with a JSON body when body is given (or method says so), else GET. */
  control<T = unknown>(p: string, body?: unknown, method?: string): Promise<ControlResponse<T>>;
  msalApp(opts?: MsalAppOptions): ConfidentialClientApplication;
  /** Access token from acquireTokenByClientCredential (scope https://graph.microsoft.com/.default, no cache). */
  appTokenFor(opts?: MsalAppOptions): Promise<string>;
}

function hexThumbprint(pem: string, alg: "sha1" | "sha256"): string {
  const der = Buffer.from(pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, ""), "base64");
  return createHash(alg).update(der).digest("hex").toUpperCase();
}


export function msalConfig(endpoints: Endpoints, opts: MsalAppOptions = {}): Configuration {
  const host = new URL(endpoints.loginUrl).host; // host:port — LIBRARY-NOTES: knownAuthorities needs the port
  const clientId = opts.clientId ?? endpoints.app.clientId;
  let cred: Configuration["auth"];
  const authority = `${endpoints.loginUrl}/${opts.tenant ?? endpoints.tenant.id}`;
  if (opts.certificatePem) {
    cred = {
      clientId,
      authority,
      knownAuthorities: [host],
      clientCertificate: { thumbprintSha256: hexThumbprint(opts.certificatePem.certificate, "sha256"), privateKey: opts.certificatePem.privateKey },
    };
  } else if (opts.certificate) {
    const privateKey = readFileSync(endpoints.app.privateKeyFile, "utf8");
    const clientCertificate = opts.certificate === "sha256" ? { thumbprintSha256: endpoints.app.thumbprintSha256, privateKey } : { thumbprint: endpoints.app.thumbprint, privateKey };
    cred = { clientId, authority, knownAuthorities: [host], clientCertificate };
  } else {
    cred = { clientId, authority, knownAuthorities: [host], clientSecret: opts.secret ?? endpoints.app.clientSecret };
  }
  return {
    auth: cred,
    system: { loggerOptions: { logLevel: LogLevel.Error, piiLoggingEnabled: false, loggerCallback: () => undefined } },
  };
}

export async function startTestSandbox(opts: { redirectUris?: string[] } = {}): Promise<TestSandbox> {
  const sb = await startSandbox({ dataDir: TEST_DATA_DIR, loginPort: 0, graphPort: 0, uploadPort: 0, quiet: true, redirectUris: opts.redirectUris ?? [TEST_REDIRECT_URI] });
  const { endpoints } = sb;
  const control = async <T,>(p: string, body?: unknown, method?: string): Promise<ControlResponse<T>> => {
    const m = method ?? (body === undefined ? (p.endsWith("/reset") ? "POST" : "GET") : "POST");
    const res = await fetch(`${endpoints.controlUrl}${p}`, {
      method: m,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let json: unknown = text;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, json: json as T };
  };
  const msalApp = (o: MsalAppOptions = {}) => new ConfidentialClientApplication(msalConfig(endpoints, o));
  const appTokenFor = async (o: MsalAppOptions = {}) => {
    const r = await msalApp(o).acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT], skipCache: true });
    if (!r?.accessToken) throw new Error("MSAL returned no access token");
    return r.accessToken;
  };
  return { ...sb, endpoints, control, msalApp, appTokenFor };
}

/**
 * A minimal browser for the sandbox's sign-in pages: keeps the session cookie, follows nothing
 * automatically, and submits the page's own form fields (hidden flow id) plus the given ones.
 */
export class PageDriver {
  cookie = "";
  /** The last HTML page received (for assertions on wording and escaping). */
  html = "";
  status = 0;

  private keep(res: Response): void {
    const set = res.headers.get("set-cookie");
    if (set) {
      const pair = set.split(";")[0]!;
      this.cookie = pair.endsWith("=") ? "" : pair;
    }
  }

  /** GET a URL; returns the redirect target when the sandbox redirects (302), else undefined (HTML in .html). */
  async open(url: string): Promise<URL | undefined> {
    const res = await fetch(url, { redirect: "manual", headers: this.cookie ? { cookie: this.cookie } : {} });
    return this.settle(res, url);
  }

  /** POST the current page's form (its action and hidden "flow" field) with extra fields. */
  async submit(fields: Record<string, string>, base: string): Promise<URL | undefined> {
    const action = /<form method="post" action="([^"]+)"/.exec(this.html)?.[1];
    const flow = /name="flow" value="([^"]+)"/.exec(this.html)?.[1];
    if (!action || !flow) throw new Error(`no sign-in form on the page:\n${this.html.slice(0, 500)}`);
    const url = new URL(action.replace(/&amp;/g, "&"), base).toString();
    const res = await fetch(url, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", ...(this.cookie ? { cookie: this.cookie } : {}) },
      body: new URLSearchParams({ flow, ...fields }).toString(),
    });
    return this.settle(res, url);
  }

  private async settle(res: Response, url: string): Promise<URL | undefined> {
    this.keep(res);
    this.status = res.status;
    if (res.status === 302) {
      this.html = "";
      return new URL(res.headers.get("location")!, url);
    }
    this.html = await res.text();
    return undefined;
  }

  /** Sign-in page → pick the account, type the password; accept consent if asked. */
  async signIn(authorizeUrl: string, username: string, password: string, consent: "accept" | "cancel" | "org" = "accept"): Promise<URL> {
    let next = await this.open(authorizeUrl);
    if (!next && this.html.includes('value="signin"')) next = await this.submit({ action: "signin", username, password }, authorizeUrl);
    if (!next && this.html.includes('value="accept"')) {
      next = await this.submit(consent === "org" ? { action: "accept", consent_org: "true" } : { action: consent }, authorizeUrl);
    }
    if (!next) throw new Error(`sign-in did not return to the app (status ${this.status}):\n${this.html.slice(0, 800)}`);
    return next;
  }
}
