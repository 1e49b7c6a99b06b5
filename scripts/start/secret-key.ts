import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

/** Demo mode: a key generated on first start and kept under the data dir (outside the repo, mode 600). */
export async function demoSecretKey(dataDir: string): Promise<string> {
  const file = path.resolve(dataDir, "secret.key");
  if (existsSync(file)) return (await readFile(file, "utf8")).trim();
  await mkdir(dataDir, { recursive: true });
  const key = randomBytes(32).toString("hex");
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/**
 * Demo mode: older keys that `npm run rotate-key -- --new-key` keeps in the data dir until every stored
 * value is re-encrypted under the new key (comma-joined for PORTAL_PREVIOUS_SECRET_KEYS), if any.
 */
export async function demoPreviousKeys(dataDir: string): Promise<string | undefined> {
  const file = path.resolve(dataDir, "previous-secret.keys");
  if (!existsSync(file)) return undefined;
  const keys = (await readFile(file, "utf8")).split(/\s+/).filter(Boolean);
  return keys.length > 0 ? keys.join(",") : undefined;
}
