import { spawn } from "node:child_process";
import path from "node:path";

/**
 * `prisma migrate deploy`, asynchronously on purpose: the embedded database is served from the calling
 * process, so a blocking spawnSync would leave Prisma's CLI waiting for a server that cannot answer.
 */
export async function migrate(env: NodeJS.ProcessEnv): Promise<void> {
  const child = spawn(process.execPath, [path.resolve("node_modules/prisma/build/index.js"), "migrate", "deploy"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  if (code !== 0) throw new Error(`database migrations failed:\n${output}`);
}
