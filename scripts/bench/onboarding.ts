/**
 * `npm run bench:onboarding` — issue 15's onboarding walk, timed from `npm start`:
 * starts a fresh portal like bench:startup (scripts/start.ts, new data dir, embedded PGlite, the sandbox,
 * its own ports: BENCH_ONBOARDING_PORT, default 3320, sandbox 28453-28455, all env-overridable), claims it,
 * seeds a fresh sandbox directory through the sandbox's control API, then runs the same walk as
 * e2e/onboarding.spec.ts (e2e/onboarding-walk.ts) in Chromium at 1366 px. Prints the interactions counted
 * to the proved restriction and to the sent mail in History, and the time from `npm start` to the proved
 * restriction, with the cold start to the first page (same run) as its baseline; exits non-zero when a goal
 * is missed. Needs a build (`PORTAL_BUILD=skip` is set: run `next build` first, as bench:startup does).
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import { request as httpsRequest } from "node:https";
import os from "node:os";
import path from "node:path";
import { chromium } from "@playwright/test";
import { onboardingWalk } from "../../e2e/onboarding-walk";

const PORT = Number(process.env.BENCH_ONBOARDING_PORT ?? 3320);
const BASE = `http://localhost:${PORT}`;
const GOAL_PROVED = 25;
const GOAL_HISTORY = 32;
// What the issue measured before this work (39 and 48 interactions): printed as the "before" figures.
const BEFORE = { proved: 39, history: 48 };

function control(controlUrl: string, ca: string, p: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${controlUrl}${p}`, { method: "POST", ca, headers: { "content-type": "application/json" } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

async function main() {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "gmp-onboarding-"));
  const env: NodeJS.ProcessEnv = {
    ...process.env, PORT: String(PORT), PORTAL_URL: BASE, PORTAL_DATA_DIR: dataDir, SANDBOX_DATA_DIR: path.join(dataDir, "sandbox"), PORTAL_SANDBOX: "on",
    SANDBOX_LOGIN_PORT: process.env.BENCH_ONBOARDING_LOGIN_PORT ?? "28453", SANDBOX_GRAPH_PORT: process.env.BENCH_ONBOARDING_GRAPH_PORT ?? "28454",
    SANDBOX_UPLOAD_PORT: process.env.BENCH_ONBOARDING_UPLOAD_PORT ?? "28455", PORTAL_SMTP_PORT: process.env.BENCH_ONBOARDING_SMTP_PORT ?? "0",
    NEXT_TELEMETRY_DISABLED: "1", PORTAL_BUILD: "skip",
  };
  delete env.DATABASE_URL;
  delete env.PORTAL_SECRET_KEY;
  delete env.PORTAL_TENANTS_FILE;
  const t0 = Date.now();
  const log = await open(path.join(dataDir, "start.log"), "w");
  const server = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], { env, stdio: ["ignore", log.fd, log.fd], detached: true });
  try {
    let coldStartMs = 0;
    for (;;) {
      if (Date.now() - t0 > 240_000) throw new Error(`the portal did not answer within 240 s:\n${await readFile(path.join(dataDir, "start.log"), "utf8")}`);
      const res = await fetch(`${BASE}/setup`).catch(() => null);
      if (res?.ok) {
        coldStartMs = Date.now() - t0;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const sb = JSON.parse(await readFile(path.join(dataDir, "sandbox", "endpoints.json"), "utf8")) as { controlUrl: string; caFile: string };
    const ca = await readFile(sb.caFile, "utf8");
    const domain = `b${randomBytes(4).toString("hex")}.sandbox`;
    const seeded = await control(sb.controlUrl, ca, "/seed", {
      tenants: [{ domain, displayName: domain }],
      users: [
        { tenant: domain, userPrincipalName: `hr-welcome@${domain}`, displayName: "HR Welcome", mailbox: "shared" },
        { tenant: domain, userPrincipalName: `alex@${domain}`, displayName: "Alex" },
        { tenant: domain, userPrincipalName: `new.hire@${domain}`, displayName: "New Hire" },
      ],
    });
    if (seeded !== 201) throw new Error(`sandbox seed answered ${seeded}`);

    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
    const admin = { email: "bench@example.com", password: "bench password 123" };
    // The claim (setup code, name, email, two passwords, one click) is the same for every admin and
    // happens once per portal; it is counted apart from the walk.
    const claimPage = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await claimPage.goto(`${BASE}/setup`);
    // Counted as they happen, so the printed figure follows the form if a field is added or removed.
    let claimOnce = 0;
    const fill = async (label: string, value: string, exact = false) => {
      await claimPage.getByLabel(label, { exact }).fill(value);
      claimOnce++;
    };
    await fill("Setup code", (await readFile(path.join(dataDir, "setup-code"), "utf8")).trim());
    await fill("Your name", "Bench Admin");
    await fill("Email", admin.email);
    await fill("Password", admin.password, true);
    await fill("Confirm password", admin.password);
    await claimPage.getByRole("button", { name: "Become the first admin" }).click();
    claimOnce++;
    await claimPage.getByRole("heading", { name: "Dashboard" }).waitFor();
    await claimPage.close();

    const page = await (await browser.newContext({ baseURL: BASE, viewport: { width: 1366, height: 900 } })).newPage();
    let provedMs = 0;
    const r = await onboardingWalk(page, {
      domain, inside: `hr-welcome@${domain}`, outside: `alex@${domain}`, to: `new.hire@${domain}`, admin,
      tenantName: `Bench ${domain}`, subject: `Bench welcome ${randomBytes(3).toString("hex")}`,
      screen: async () => undefined,
      onProved: () => (provedMs = Date.now() - t0),
    });
    await browser.close();
    const report = {
      interactions: { toProvedRestriction: r.toProved, toMailInHistory: r.toHistory, claimOnce, before: BEFORE },
      startToProvedMs: provedMs,
      coldStartToFirstPageMs: coldStartMs,
      ratios: {
        provedVsBefore: +(r.toProved / BEFORE.proved).toFixed(2),
        historyVsBefore: +(r.toHistory / BEFORE.history).toFixed(2),
        startToProvedVsColdStart: +(provedMs / coldStartMs).toFixed(2),
      },
      steps: r.log,
    };
    await mkdir("bench-results", { recursive: true });
    await writeFile("bench-results/onboarding.json", JSON.stringify(report, null, 2));
    console.log(JSON.stringify(report, null, 2));
    const ok = r.toProved <= GOAL_PROVED && r.toHistory <= GOAL_HISTORY;
    // Every figure printed above, each with its goal or said to have none.
    console.log(
      `goal: ≤ ${GOAL_PROVED} interactions to the proved restriction (${r.toProved}, ${r.toProved <= GOAL_PROVED ? "met" : "MISSED"}; was ${BEFORE.proved}, ${report.ratios.provedVsBefore}× before), ` +
        `≤ ${GOAL_HISTORY} to the mail in History (${r.toHistory}, ${r.toHistory <= GOAL_HISTORY ? "met" : "MISSED"}; was ${BEFORE.history}, ${report.ratios.historyVsBefore}× before); ` +
        `the claim, once per portal and counted apart: ${claimOnce} interactions (no goal set by the issue); ` +
        `npm start → proved restriction ${(provedMs / 1000).toFixed(1)} s (${report.ratios.startToProvedVsColdStart}× the cold start to the first page, ${(coldStartMs / 1000).toFixed(1)} s: both reported, no goal set by the issue)`,
    );
    if (!ok) process.exitCode = 1;
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
