import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const SOURCES = ["app", "components", "lib", "public", "prisma/schema.prisma", "next.config.js", "instrumentation.ts", "proxy.ts", "package-lock.json"];

function newest(p: string): number {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return readdirSync(p).reduce((m, f) => Math.max(m, newest(path.join(p, f))), s.mtimeMs);
}

/** Builds the portal when there is no build yet or a source file is newer than it. */
export async function buildIfStale(env: NodeJS.ProcessEnv): Promise<void> {
  if (env.PORTAL_BUILD === "skip") return; // a caller that has just built (benchmarks)
  const buildId = path.resolve(env.NEXT_DIST_DIR || ".next", "BUILD_ID");
  const built = existsSync(buildId) ? statSync(buildId).mtimeMs : 0;
  const changed = Math.max(...SOURCES.map((s) => newest(path.resolve(s))));
  if (built && built >= changed) return;
  console.log(built ? "[start] sources changed since the last build: building…" : "[start] first start: building the portal (about a minute)…");
  // Not spawnSync: the embedded database in this process must keep answering meanwhile.
  const child = spawn(process.execPath, [path.resolve("node_modules/next/dist/bin/next"), "build"], { stdio: "inherit", env });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  if (code !== 0) throw new Error("next build failed");
}
