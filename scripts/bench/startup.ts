/**
 * `npm run bench:startup` — the foundation's figures, measured in one run:
 *  - `next build` wall time (BENCH_STARTUP_BUILD=skip reuses the build in NEXT_DIST_DIR, e.g. right after one);
 *  - cold `npm start` (fresh data dir: key generation, embedded PGlite, migrations, sandbox) to the first page;
 *  - first-load JavaScript of every main page, gzip, as Chromium downloads it: every script the page fetches
 *    from navigation until the network is idle (so code split off and loaded on interaction, such as
 *    Compose's rich-text editor, is not counted, while code loaded right after first paint is). Portal pages
 *    are measured signed in as the first admin, each in a fresh page with a warm server (one unmeasured
 *    visit first) and an empty browser cache. Ratios are against the sign-in page, measured in the same run.
 * Prints a JSON report (also written to bench-results/startup.json) and one line per page with its goal.
 *
 * Ports: BENCH_STARTUP_PORT (default 3300) for the portal and the five above it (embedded database, SMTP relay,
 * the sandbox's login, Graph and upload ports), so the bench can run beside other servers.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { chromium, type Browser, type BrowserContext, type Response } from "@playwright/test";
import pg from "pg";

const PORT = Number(process.env.BENCH_STARTUP_PORT ?? 3300);
const BASE = `http://localhost:${PORT}`;
const KB = 1024;

/**
 * Goals in KB gzip. Compose's is issue 15's (it was 323 KB with the rich-text editor in its first load);
 * every other portal page keeps within the dashboard's figure when the goal was set (158 KB) plus room for
 * its own forms, and the pages before sign-in stay light.
 */
const GOALS: Record<string, number> = {
  signIn: 170,
  claim: 170,
  dashboard: 200,
  compose: 180,
  history: 200,
  historyDetail: 200,
  senders: 200,
  keys: 200,
  devices: 200,
  scripts: 200,
  bulk: 200,
  settings: 200,
  setupWizardStart: 200,
};

interface Js {
  files: number;
  gzipBytes: number;
  rawBytes: number;
}

async function firstLoadJs(context: BrowserContext, url: string): Promise<Js> {
  const page = await context.newPage();
  const bodies: Promise<Buffer | null>[] = [];
  const onResponse = (r: Response) => {
    if (r.request().resourceType() === "script") bodies.push(r.body().catch(() => null));
  };
  page.on("response", onResponse);
  const res = await page.goto(url, { waitUntil: "networkidle" });
  page.off("response", onResponse);
  if (!res?.ok()) throw new Error(`${url} answered HTTP ${res?.status()}`);
  const all = (await Promise.all(bodies)).filter((b): b is Buffer => b !== null);
  await page.close();
  return { files: all.length, rawBytes: all.reduce((n, b) => n + b.length, 0), gzipBytes: all.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0) };
}

/** A fresh context per page: nothing cached from the page before (storageState carries the session only). */
async function measure(browser: Browser, storageState: Awaited<ReturnType<BrowserContext["storageState"]>> | undefined, url: string): Promise<Js> {
  const warm = await fetch(url, { headers: storageState ? { cookie: storageState.cookies.map((c) => `${c.name}=${c.value}`).join("; ") } : {} }).catch(() => null);
  void warm?.body?.cancel();
  const context = await browser.newContext(storageState ? { storageState } : {});
  try {
    return await firstLoadJs(context, url);
  } finally {
    await context.close();
  }
}

async function main() {
  const t0 = Date.now();
  let buildMs: number | null = null;
  if (process.env.BENCH_STARTUP_BUILD !== "skip") {
    const build = spawnSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], { stdio: "ignore", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    if (build.status !== 0) throw new Error("next build failed");
    buildMs = Date.now() - t0;
  }

  const dataDir = await mkdtemp(path.join(os.tmpdir(), "gmp-bench-"));
  const sandboxDir = path.join(dataDir, "sandbox");
  const env: NodeJS.ProcessEnv = {
    ...process.env, PORT: String(PORT), PORTAL_DATA_DIR: dataDir, SANDBOX_DATA_DIR: sandboxDir, PORTAL_EMBEDDED_DB_PORT: String(PORT + 1),
    SANDBOX_LOGIN_PORT: String(PORT + 3), SANDBOX_GRAPH_PORT: String(PORT + 4), SANDBOX_UPLOAD_PORT: String(PORT + 5), PORTAL_SMTP_PORT: String(PORT + 2), NEXT_TELEMETRY_DISABLED: "1", PORTAL_BUILD: "skip",
  };
  delete env.DATABASE_URL;
  delete env.PORTAL_SECRET_KEY;
  delete env.PORTAL_TENANTS_FILE;
  delete env.PORTAL_SMTP_TLS_PORT;
  delete env.PORTAL_URL;
  delete env.NEXTAUTH_URL;
  const t1 = Date.now();
  const log = await open(path.join(dataDir, "start.log"), "w");
  const server = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], { env, stdio: ["ignore", log.fd, log.fd], detached: true });
  let coldStartMs = 0;
  try {
    let last = "no answer";
    for (;;) {
      if (Date.now() - t1 > 600_000) throw new Error(`the portal did not answer within 600 s (last: ${last}):\n${await readFile(path.join(dataDir, "start.log"), "utf8")}`);
      const res = await fetch(`${BASE}/setup`, { signal: AbortSignal.timeout(60_000) }).catch((err: Error) => {
        last = String((err.cause as { code?: string } | undefined)?.code ?? err.message);
        return null;
      });
      if (res) last = `HTTP ${res.status}`;
      void res?.body?.cancel();
      if (res?.ok) {
        coldStartMs = Date.now() - t1;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
    const js: Record<string, Js> = {};
    js.claim = await measure(browser, undefined, `${BASE}/setup`);

    // Claim the portal as a person does, then measure with that session.
    const claimContext = await browser.newContext();
    const page = await claimContext.newPage();
    await page.goto(`${BASE}/setup`);
    const code = (await readFile(path.join(dataDir, "setup-code"), "utf8")).trim();
    await page.getByLabel("Setup code").fill(code);
    await page.getByLabel("Your name").fill("Bench Admin");
    await page.getByLabel("Email").fill("bench@example.com");
    await page.getByLabel("Password", { exact: true }).fill("bench password 123");
    await page.getByLabel("Confirm password").fill("bench password 123");
    await page.getByRole("button", { name: "Become the first admin" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    const session = await claimContext.storageState();
    js.signIn = await measure(browser, undefined, `${BASE}/sign-in`);

    // Compose shows its form only to someone granted a mailbox: grant the sandbox's allowed mailbox to the
    // admin (as the Senders page does) and queue one send, so History has a detail page to measure.
    const endpoints = JSON.parse(await readFile(path.join(sandboxDir, "endpoints.json"), "utf8")) as { mailboxes: { allowed: string } };
    const db = new pg.Client({ connectionString: `postgresql://postgres:postgres@127.0.0.1:${PORT + 1}/postgres?sslmode=disable` });
    await db.connect();
    try {
      const rnd = () => `bench${Math.random().toString(36).slice(2, 12)}`;
      await db.query(`insert into "SenderMailbox"(id, "tenantId", address) select $1, id, lower($2) from "Tenant" where cloud = 'sandbox' limit 1 on conflict do nothing`, [rnd(), endpoints.mailboxes.allowed]);
      await db.query(`insert into "SenderGrant"(id, "mailboxId", "userId") select $1, m.id, u.id from "SenderMailbox" m, "User" u where m.address = lower($2) and lower(u.email) = 'bench@example.com' on conflict do nothing`, [rnd(), endpoints.mailboxes.allowed]);
    } finally {
      await db.end();
    }
    await page.goto(`${BASE}/compose`);
    await page.getByLabel("To", { exact: true }).fill(endpoints.mailboxes.allowed);
    await page.getByLabel("Subject").fill("bench:startup");
    await page.getByRole("button", { name: "Send" }).click();
    await page.getByTestId("send-status").waitFor({ timeout: 60_000 });
    await page.goto(`${BASE}/history`);
    const detail = await page.locator('a[href^="/history/"]:not([href^="/history/dead-letters"])').first().getAttribute("href");
    if (!detail) throw new Error("History lists no send to open");
    await claimContext.close();

    const pages: [string, string][] = [
      ["dashboard", "/"], ["compose", "/compose"], ["history", "/history"], ["historyDetail", detail], ["senders", "/senders"], ["keys", "/keys"],
      ["devices", "/devices"], ["scripts", "/scripts"], ["bulk", "/bulk"], ["settings", "/settings"], ["setupWizardStart", "/setup/new"],
    ];
    for (const [name, url] of pages) js[name] = await measure(browser, session, `${BASE}${url}`);
    await browser.close();

    const baseline = js.signIn.gzipBytes;
    const firstLoadJs = Object.fromEntries(
      Object.entries(js).map(([name, m]) => {
        const kb = Math.round((m.gzipBytes / KB) * 10) / 10;
        return [name, { ...m, gzipKB: kb, ratioToSignIn: Math.round((m.gzipBytes / baseline) * 100) / 100, goalKB: GOALS[name], met: kb <= GOALS[name]! }];
      }),
    );
    const report = { nextBuildMs: buildMs, coldStartToFirstPageMs: coldStartMs, baseline: "signIn", firstLoadJs };
    await mkdir("bench-results", { recursive: true });
    await writeFile("bench-results/startup.json", JSON.stringify(report, null, 2));
    console.log(JSON.stringify(report, null, 2));
    console.log(`\nnext build ${buildMs === null ? "skipped" : `${(buildMs / 1000).toFixed(1)} s`}; cold start to first page ${(coldStartMs / 1000).toFixed(1)} s`);
    console.log("First-load JavaScript, gzip (ratio to the sign-in page, measured in this run):");
    for (const [name, m] of Object.entries(firstLoadJs)) {
      console.log(`  ${name.padEnd(17)} ${String(m.gzipKB).padStart(6)} KB  ×${m.ratioToSignIn.toFixed(2)}  goal ≤ ${m.goalKB} KB: ${m.met ? "met" : "NOT MET"}`);
    }
    const missed = Object.entries(firstLoadJs).filter(([, m]) => !m.met).map(([n]) => n);
    console.log(missed.length ? `Goal not met for: ${missed.join(", ")}` : "Every page meets its goal.");
    if (missed.length) process.exitCode = 1;
  } finally {
    if (server.pid) process.kill(-server.pid, "SIGTERM");
    await new Promise((r) => setTimeout(r, 1000));
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
