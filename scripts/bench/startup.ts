/**
 * `npm run bench:startup` — the foundation's figures, measured in one run:
 *  - `next build` wall time;
 *  - cold `npm start` (fresh data dir: key generation, embedded PGlite, migrations, sandbox) to the first page;
 *  - first-load JavaScript of the dashboard and of the sign-in page, gzip, as Chromium downloads it.
 * Prints a JSON report (also written to bench-results/startup.json).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { chromium, type Page, type Response } from "@playwright/test";

const PORT = 3300;
const BASE = `http://localhost:${PORT}`;

async function firstLoadJs(page: Page, url: string): Promise<{ files: number; gzipBytes: number; rawBytes: number }> {
  const bodies: Promise<Buffer | null>[] = [];
  const onResponse = (r: Response) => {
    if (r.request().resourceType() === "script") bodies.push(r.body().catch(() => null));
  };
  page.on("response", onResponse);
  await page.goto(url, { waitUntil: "networkidle" });
  page.off("response", onResponse);
  const all = (await Promise.all(bodies)).filter((b): b is Buffer => b !== null);
  return { files: all.length, rawBytes: all.reduce((n, b) => n + b.length, 0), gzipBytes: all.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0) };
}

async function main() {
  const t0 = Date.now();
  const build = spawnSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], { stdio: "ignore", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (build.status !== 0) throw new Error("next build failed");
  const buildMs = Date.now() - t0;

  const dataDir = await mkdtemp(path.join(os.tmpdir(), "gmp-bench-"));
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(PORT), PORTAL_DATA_DIR: dataDir, SANDBOX_DATA_DIR: path.join(dataDir, "sandbox"), SANDBOX_LOGIN_PORT: "28443", SANDBOX_GRAPH_PORT: "28444", SANDBOX_UPLOAD_PORT: "28445", NEXT_TELEMETRY_DISABLED: "1", PORTAL_BUILD: "skip" };
  delete env.DATABASE_URL;
  delete env.PORTAL_SECRET_KEY;
  delete env.PORTAL_TENANTS_FILE;
  const t1 = Date.now();
  const log = await open(path.join(dataDir, "start.log"), "w");
  const server = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], { env, stdio: ["ignore", log.fd, log.fd], detached: true });
  let coldStartMs = 0;
  try {
    for (;;) {
      if (Date.now() - t1 > 180_000) throw new Error(`the portal did not answer within 180 s:\n${await readFile(path.join(dataDir, "start.log"), "utf8")}`);
      const res = await fetch(`${BASE}/setup`).catch(() => null);
      if (res?.ok) {
        coldStartMs = Date.now() - t1;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
    const page = await browser.newPage();
    const signIn = await firstLoadJs(page, `${BASE}/setup`);
    const code = (await readFile(path.join(dataDir, "setup-code"), "utf8")).trim();
    await page.getByLabel("Setup code").fill(code);
    await page.getByLabel("Your name").fill("Bench Admin");
    await page.getByLabel("Email").fill("bench@example.com");
    await page.getByLabel("Password", { exact: true }).fill("bench password 123");
    await page.getByLabel("Confirm password").fill("bench password 123");
    await page.getByRole("button", { name: "Become the first admin" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    const fresh = await browser.newContext({ storageState: await page.context().storageState() });
    const dashboard = await firstLoadJs(await fresh.newPage(), `${BASE}/`);
    await browser.close();
    const report = { nextBuildMs: buildMs, coldStartToFirstPageMs: coldStartMs, firstLoadJs: { dashboard, claimPage: signIn } };
    await mkdir("bench-results", { recursive: true });
    await writeFile("bench-results/startup.json", JSON.stringify(report, null, 2));
    console.log(JSON.stringify(report, null, 2));
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
