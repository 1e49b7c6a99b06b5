/**
 * Another portal instance for tests of several instances on one database: scripts/portal-services.ts (what
 * the Next server starts: outbox worker, jobs, SMTP relay on a free port) in a process of its own, with its
 * own empty data folder and this process's settings otherwise (database, upload store, secret key).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export interface PortalInstance {
  child: ChildProcess;
  dataDir: string;
  /** What it printed so far (for a failing assertion's message). */
  output(): string;
}

export async function startPortalInstance(name: string): Promise<PortalInstance> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `gmp-instance-${name}-`));
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/portal-services.ts"], {
    cwd: process.cwd(),
    env: { ...process.env, PORTAL_DATA_DIR: dataDir, PORTAL_SMTP_PORT: "0", PORTAL_OUTBOX_WORKER_CONCURRENCY: "4", PORTAL_LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`instance ${name} did not start: ${out}`)), 120_000);
    const check = (d: Buffer) => {
      out += d.toString();
      if (out.includes("portal services started")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", check);
    child.stderr!.on("data", check);
    child.once("exit", (code) => reject(new Error(`instance ${name} exited (${code}): ${out}`)));
  });
  return { child, dataDir, output: () => out };
}
