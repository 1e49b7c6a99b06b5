/**
 * Demo mode: run the sandbox tenant beside the portal and connect it by configuration only — a tenants
 * file (PORTAL_TENANTS_FILE) and a CA bundle (NODE_EXTRA_CA_CERTS). The portal's code never knows.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";

/** The portal's own names for the sandbox's demo app: the sandbox itself is neutral (m365-sandbox --help). */
export const PORTAL_DEMO_APP_NAME = "Graph Mail Portal (sandbox)";

/** The m365-sandbox command (the workspace package's `bin`), resolved by package name — from another checkout when `root` is given. */
export function sandboxBin(root?: string): string {
  const from = root ? path.join(path.resolve(root), "package.json") : import.meta.url;
  const pkgFile = createRequire(from).resolve("m365-sandbox/package.json");
  const pkg = JSON.parse(readFileSync(pkgFile, "utf8")) as { bin: Record<string, string> };
  return path.join(path.dirname(pkgFile), pkg.bin["m365-sandbox"]!);
}

export interface SandboxEndpoints {
  loginUrl: string;
  graphUrl: string;
  controlUrl: string;
  inboxUrl?: string;
  caFile: string;
  tenant: { id: string; domain: string };
  app: { clientId: string; clientSecret: string };
  mailboxes: { allowed: string; outsidePolicy: string; shared: string };
  users: { upn: string; password: string; displayName?: string }[];
}

export interface RunningSandbox {
  endpoints: SandboxEndpoints;
  child: ChildProcess;
}

export async function startSandboxProcess(opts: { dataDir: string; redirectUri: string; env: NodeJS.ProcessEnv }): Promise<RunningSandbox> {
  const endpointsFile = path.resolve(opts.dataDir, "endpoints.json");
  await rm(endpointsFile, { force: true });
  // SANDBOX_REDIRECT_URIS (comma-separated) replaces the portal's own callback when set.
  const redirectUris = (opts.env.SANDBOX_REDIRECT_URIS ?? opts.redirectUri).split(",").map((s) => s.trim()).filter(Boolean);
  const args = ["--data-dir", opts.dataDir, "--app-name", opts.env.SANDBOX_APP_NAME ?? PORTAL_DEMO_APP_NAME, ...redirectUris.flatMap((u) => ["--redirect-uri", u])];
  const child = spawn(process.execPath, [sandboxBin(), ...args], { env: opts.env, stdio: ["ignore", "inherit", "inherit"] });
  const started = Date.now();
  while (!existsSync(endpointsFile)) {
    if (child.exitCode !== null) throw new Error(`the sandbox exited with code ${child.exitCode} before it was ready`);
    if (Date.now() - started > 60_000) throw new Error("the sandbox did not start within 60 s");
    await new Promise((r) => setTimeout(r, 200));
  }
  const endpoints = JSON.parse(await readFile(endpointsFile, "utf8")) as SandboxEndpoints;
  return { endpoints, child };
}

/** The tenants file that connects the sandbox's demo tenant to the portal. */
export async function writeSandboxTenantsFile(file: string, e: SandboxEndpoints): Promise<void> {
  const body = {
    tenants: [
      {
        name: "Sandbox (Contoso demo)",
        cloud: "sandbox",
        directoryId: e.tenant.id,
        loginUrl: e.loginUrl,
        graphUrl: e.graphUrl,
        clientId: e.app.clientId,
        clientSecret: e.app.clientSecret,
        useApplication: true,
        useDelegated: true,
        largeAttachments: true,
        // The demo app holds User.Read.All: bulk runs can welcome the seed's new users.
        bulkDirectory: true,
        senders: [e.mailboxes.shared, e.mailboxes.allowed],
      },
    ],
  };
  await writeFile(file, JSON.stringify(body, null, 2), { mode: 0o600 });
}

/**
 * NODE_EXTRA_CA_CERTS must be set before Node starts and may already point at the system bundle here,
 * so write one bundle = what was trusted before + the sandbox CA (shared/LIBRARY-NOTES.md).
 */
export async function writeCaBundle(file: string, sandboxCa: string): Promise<void> {
  const parts: string[] = [];
  const existing = process.env.NODE_EXTRA_CA_CERTS;
  for (const f of [existing, "/etc/ssl/certs/ca-certificates.crt"]) {
    if (f && f !== file && existsSync(f)) {
      parts.push(await readFile(f, "utf8"));
      break;
    }
  }
  parts.push(await readFile(sandboxCa, "utf8"));
  await writeFile(file, parts.join("\n"));
}
