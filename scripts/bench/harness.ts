/**
 * What the HTTP benchmarks share: a sandbox in its own process, a portal started the real way
 * (scripts/start.ts, PORTAL_SANDBOX=off + a tenants file, as demo mode connects them) on free ports with a
 * throwaway database on 127.0.0.1:5432, and a signed-in admin granted the tenant's sender mailboxes.
 * BENCH_SANDBOX_ROOT runs the sandbox from another checkout; NEXT_DIST_DIR reuses a build.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { hkdfSync, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { encode } from "next-auth/jwt";
import pg from "pg";
import { sandboxBin } from "../start/sandbox";

export type Res = { status: number; headers: Record<string, string | string[] | undefined>; body: string };
export type CallOptions = { method?: string; headers?: Record<string, string>; body?: string | Buffer | NodeJS.ReadableStream };

export interface SandboxEndpoints {
  loginUrl: string;
  graphUrl: string;
  caFile: string;
  tenant: { id: string; domain: string };
  app: { clientId: string; clientSecret: string };
  mailboxes: { shared: string; allowed: string };
}

export interface BenchStack {
  /** The portal's base URL (also the Origin its route handlers expect). */
  base: string;
  /** A session cookie of the bench admin. */
  cookie: string;
  tenantId: string;
  dbUrl: string;
  work: string;
  e: SandboxEndpoints;
  portal: ChildProcess;
  call(url: string, opts?: CallOptions): Promise<Res>;
  cleanup(): Promise<void>;
}

export interface BenchUser {
  userPrincipalName: string;
  displayName: string;
  mailbox: { kind: "user"; maxSendSize?: number };
}

const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

/** Keep-alive agents, so a benchmark measures the portal rather than TCP handshakes. */
const agents = { http: new HttpAgent({ keepAlive: true, maxSockets: 256 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 256 }) };

export function makeCall(ca: string) {
  return function call(url: string, opts: CallOptions = {}): Promise<Res> {
    const u = new URL(url);
    const req = (u.protocol === "https:" ? httpsRequest : httpRequest)(u, {
      method: opts.method ?? "GET",
      headers: opts.headers,
      ...(u.protocol === "https:" ? { ca, agent: agents.https } : { agent: agents.http }),
    });
    return new Promise((resolve, reject) => {
      req.on("response", (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on("error", reject);
      const b = opts.body;
      if (b && typeof b === "object" && "pipe" in b) (b as NodeJS.ReadableStream).pipe(req);
      else req.end(b);
    });
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts the sandbox and the portal. `senders(domain)` seeds the sandbox users whose mailboxes the portal
 * tenant sends from (restricted to them by an application access policy, as a configured tenant would be).
 */
export async function startBenchStack(name: string, senders: (domain: string) => BenchUser[]): Promise<BenchStack> {
  const work = path.join(tmpdir(), `gmp-bench-${name}-${process.pid}`);
  const dbName = `gmp_bench_${name}_${process.pid}`;
  const children: ChildProcess[] = [];
  const port = (b: number) => b + (process.pid % 500);
  await mkdir(work, { recursive: true });
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database "${dbName}"`);
  await admin.end();
  const dbUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();

  const cleanup = async () => {
    for (const c of children.reverse()) if (c.exitCode === null) c.kill("SIGTERM");
    await sleep(1500);
    await rm(work, { recursive: true, force: true });
    const a = new pg.Client({ connectionString: adminUrl });
    await a.connect().then(() => a.query(`drop database if exists "${dbName}" with (force)`)).finally(() => a.end());
  };

  try {
    // The sandbox, in its own process.
    const sbDir = path.join(work, "sandbox");
    const portalPort = port(3600);
    const sbEnv = { ...process.env, SANDBOX_DATA_DIR: sbDir, SANDBOX_LOGIN_PORT: String(port(19000)), SANDBOX_GRAPH_PORT: String(port(19600)), SANDBOX_UPLOAD_PORT: String(port(20200)), SANDBOX_REDIRECT_URIS: `http://localhost:${portalPort}/api/auth/callback/microsoft` };
    children.push(spawn(process.execPath, [sandboxBin(process.env.BENCH_SANDBOX_ROOT)], { env: sbEnv, stdio: ["ignore", "ignore", "inherit"] }));
    const endpointsFile = path.join(sbDir, "endpoints.json");
    for (let i = 0; !existsSync(endpointsFile); i++) {
      if (i > 300) throw new Error("the sandbox did not start");
      await sleep(200);
    }
    const e = JSON.parse(readFileSync(endpointsFile, "utf8")) as SandboxEndpoints;
    const ca = readFileSync(e.caFile, "utf8");
    const call = makeCall(ca);
    const users = senders(e.tenant.domain);
    const seeded = await call(`${e.loginUrl}/_sandbox/seed`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({
      users,
      accessPolicies: users.map((u) => ({ appId: e.app.clientId, accessRight: "RestrictAccess", scope: u.userPrincipalName })),
    }) });
    if (seeded.status !== 201) throw new Error(`seeding the sandbox failed: ${seeded.status} ${seeded.body}`);

    // The portal, connected to it by configuration.
    const dataDir = path.join(work, "portal");
    await mkdir(dataDir, { recursive: true });
    const bundle = path.join(dataDir, "ca-bundle.pem");
    await writeFile(bundle, `${existsSync("/etc/ssl/certs/ca-certificates.crt") ? readFileSync("/etc/ssl/certs/ca-certificates.crt", "utf8") : ""}\n${ca}`);
    const tenantsFile = path.join(dataDir, "tenants.json");
    await writeFile(tenantsFile, JSON.stringify({ tenants: [{ name: "Bench", cloud: "sandbox", directoryId: e.tenant.id, loginUrl: e.loginUrl, graphUrl: e.graphUrl, clientId: e.app.clientId, clientSecret: e.app.clientSecret, senders: users.map((u) => u.userPrincipalName) }] }));
    const secretKey = randomBytes(32).toString("hex");
    const portal = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
      cwd: process.cwd(),
      env: { ...process.env, PORT: String(portalPort), PORTAL_URL: `http://localhost:${portalPort}`, DATABASE_URL: dbUrl, PORTAL_DATA_DIR: dataDir, PORTAL_SECRET_KEY: secretKey, PORTAL_SANDBOX: "off", PORTAL_TENANTS_FILE: tenantsFile, NODE_EXTRA_CA_CERTS: bundle, NEXT_TELEMETRY_DISABLED: "1", PORTAL_SMTP_PORT: process.env.PORTAL_SMTP_PORT ?? "0" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    children.push(portal);
    const base = `http://localhost:${portalPort}`;
    for (let i = 0; ; i++) {
      if (i > 600) throw new Error("the portal did not start");
      if ((await call(`${base}/api/health`).catch(() => ({ status: 0 }))).status === 200) break;
      await sleep(500);
    }

    // A signed-in admin: a session cookie as next-auth issues it (same derived secret as lib/crypto.ts).
    const db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
    await db.query(`INSERT INTO "User" (id, email, name, role, "updatedAt") VALUES ('bench-admin', 'bench@example.com', 'Bench', 'admin', now())`);
    const tenantId = (await db.query<{ id: string }>(`SELECT id FROM "Tenant" WHERE name = 'Bench'`)).rows[0]!.id;
    // Admins are granted nothing implicitly: the bench admin is granted the tenant's sender mailboxes.
    await db.query(`INSERT INTO "SenderGrant" (id, "mailboxId", "userId") SELECT 'bench-' || id, id, 'bench-admin' FROM "SenderMailbox" WHERE "tenantId" = $1`, [tenantId]);
    await db.end();
    const secret = Buffer.from(hkdfSync("sha256", Buffer.from(secretKey, "hex"), Buffer.alloc(0), "graph-mail-portal:next-auth", 32)).toString("base64url");
    const cookie = `next-auth.session-token=${await encode({ token: { uid: "bench-admin", sub: "bench-admin", sv: 0 }, secret })}`;
    return { base, cookie, tenantId, dbUrl, work, e, portal, call, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** Resident memory of a process's children (the portal's node processes under scripts/start.ts). */
export async function rssOfTree(pid: number): Promise<number> {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    const kids = await readFile(`/proc/${pids[i]}/task/${pids[i]}/children`, "utf8").catch(() => "");
    pids.push(...kids.split(/\s+/).filter(Boolean).map(Number));
  }
  let total = 0;
  for (const p of pids.slice(1)) {
    const st = await readFile(`/proc/${p}/status`, "utf8").catch(() => "");
    total += Number(/VmRSS:\s+(\d+)/.exec(st)?.[1] ?? 0) * 1024;
  }
  return total;
}

/** The p-th percentile of sorted values. */
export function pct(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
