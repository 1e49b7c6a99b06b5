/**
 * The end-to-end run's web server: `scripts/start.ts` as `npm start` runs it, with its output (and the
 * sandbox's and Next's, which inherit it) passed through to Playwright unchanged and also appended to
 * `<PORTAL_DATA_DIR>/server.log` (E2E.serverLog), so e2e/secret-scan.spec.ts can read what the portal logged.
 * The portal itself is not changed: this wrapper is the only difference from `npm start`.
 */
import { spawn } from "node:child_process";
import { appendFileSync, mkdirSync } from "node:fs";
import path from "node:path";

const dataDir = path.resolve(process.env.PORTAL_DATA_DIR ?? ".data-e2e");
mkdirSync(dataDir, { recursive: true });
const log = path.join(dataDir, "server.log");

const child = spawn(process.execPath, ["--import", "tsx", path.resolve("scripts/start.ts")], { stdio: ["ignore", "pipe", "pipe"], env: process.env });
// Written synchronously, chunk by chunk: a test reading the file sees every line the server has printed.
child.stdout.on("data", (chunk: Buffer) => {
  appendFileSync(log, chunk);
  process.stdout.write(chunk);
});
child.stderr.on("data", (chunk: Buffer) => {
  appendFileSync(log, chunk);
  process.stderr.write(chunk);
});
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
