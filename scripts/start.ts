/**
 * `npm start` (and `npm run dev`): everything a fresh clone needs to serve the portal.
 *  1. PORTAL_SECRET_KEY: from the environment, or generated once under .data/ (demo mode, with any older
 *     keys `npm run rotate-key -- --new-key` left in .data/previous-secret.keys).
 *  2. DATABASE_URL: from the environment, or the embedded PGlite database under .data/.
 *  3. Migrations applied (prisma migrate deploy).
 *  4. The sandbox tenant started and connected by configuration when no real tenant is configured
 *     (PORTAL_SANDBOX=auto|on|off).
 *  5. The portal built if needed, then `next start` with NODE_EXTRA_CA_CERTS set before Node starts.
 */
import "dotenv/config";
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { buildIfStale } from "./start/build";
import { startEmbeddedDb, type EmbeddedDb } from "./start/database";
import { startSandboxProcess, writeCaBundle, writeSandboxTenantsFile } from "./start/sandbox";
import { demoPreviousKeys, demoSecretKey } from "./start/secret-key";
import { heapArgs } from "./start/heap";
import { migrate } from "./start/migrate";

const dev = process.argv.includes("--dev");
const env: NodeJS.ProcessEnv = { ...process.env };
const dataDir = path.resolve(env.PORTAL_DATA_DIR ?? ".data");
const port = Number(env.PORT ?? 3000);
env.PORTAL_DATA_DIR = dataDir;
env.PORTAL_URL ??= `http://localhost:${port}`;
env.NEXTAUTH_URL ??= env.PORTAL_URL;

const children: ChildProcess[] = [];
let embedded: EmbeddedDb | undefined;

async function hasRealTenant(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ n: string }>(`select count(*) as n from "Tenant" where cloud <> 'sandbox'`);
    return Number(r.rows[0]?.n ?? 0) > 0;
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const heap = heapArgs(env); // a bad PORTAL_MAX_HEAP_MB fails here, before anything starts
  if (!env.PORTAL_SECRET_KEY) {
    env.PORTAL_SECRET_KEY = await demoSecretKey(dataDir);
    console.log(`[start] PORTAL_SECRET_KEY not set: using the demo key in ${path.relative(process.cwd(), dataDir)}/secret.key`);
    const previous = await demoPreviousKeys(dataDir);
    if (previous && !env.PORTAL_PREVIOUS_SECRET_KEYS) {
      env.PORTAL_PREVIOUS_SECRET_KEYS = previous;
      console.log("[start] older demo keys found (previous-secret.keys): run `npm run rotate-key` with the portal stopped to finish rotating");
    }
  }
  if (!env.DATABASE_URL) {
    embedded = await startEmbeddedDb(dataDir);
    env.DATABASE_URL = embedded.url;
    console.log(`[start] DATABASE_URL not set: embedded PostgreSQL (PGlite) in ${path.relative(process.cwd(), dataDir)}/pglite`);
  }
  await migrate(env);
  console.log("[start] database schema is up to date");

  const mode = (env.PORTAL_SANDBOX ?? "auto").toLowerCase();
  const wantSandbox = mode === "on" || (mode === "auto" && !env.PORTAL_TENANTS_FILE && !(await hasRealTenant(env.DATABASE_URL)));
  if (wantSandbox) {
    const sandboxDir = path.resolve(env.SANDBOX_DATA_DIR ?? ".sandbox");
    const sb = await startSandboxProcess({ dataDir: sandboxDir, redirectUri: `${env.PORTAL_URL}/api/auth/callback/microsoft`, env });
    env.PORTAL_SANDBOX_ENDPOINTS_FILE = path.join(sandboxDir, "endpoints.json"); // the setup wizard's Sandbox cloud
    children.push(sb.child);
    const bundle = path.join(dataDir, "ca-bundle.pem");
    await writeCaBundle(bundle, sb.endpoints.caFile);
    env.NODE_EXTRA_CA_CERTS = bundle;
    const tenantsFile = path.join(dataDir, "sandbox-tenants.json");
    await writeSandboxTenantsFile(tenantsFile, sb.endpoints);
    env.PORTAL_TENANTS_FILE ??= tenantsFile;
    // The demo's credential-expiry views follow the sandbox clock, so moving it shows the warnings
    // (lib/credentials/clock.ts); a PORTAL_CLOCK_URL already set wins.
    env.PORTAL_CLOCK_URL ??= `${sb.endpoints.controlUrl}/clock`;
    console.log(`[start] sandbox tenant: ${sb.endpoints.tenant.domain} — inbox ${sb.endpoints.inboxUrl ?? sb.endpoints.controlUrl}`);
    console.log(`[start]   sign in with Microsoft as ${sb.endpoints.users.map((u) => `${u.upn} / ${u.password}`).join(", ")}`);
  } else {
    console.log("[start] sandbox tenant not started (a real tenant is configured, or PORTAL_SANDBOX=off)");
  }

  if (!dev) await buildIfStale(env);
  // A bounded heap: V8 collects sooner, so garbage from a busy relay does not swell the RSS (scripts/start/heap.ts).
  const next = spawn(process.execPath, [...heap, path.resolve("node_modules/next/dist/bin/next"), dev ? "dev" : "start", "-p", String(port)], { env, stdio: "inherit" });
  children.push(next);
  console.log(`[start] portal: ${env.PORTAL_URL}`);
  next.on("exit", (code) => void shutdown(code ?? 0));
}

let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  await embedded?.stop().catch(() => undefined);
  process.exit(code);
}

process.on("SIGINT", () => void shutdown(130));
process.on("SIGTERM", () => void shutdown(143));

main().catch(async (err: unknown) => {
  console.error(`[start] ${err instanceof Error ? err.message : String(err)}`);
  await shutdown(1);
});
