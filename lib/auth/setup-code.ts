import "server-only";
import { randomInt } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { db } from "../db";
import { env } from "../env";
import { sha256Hex } from "../crypto";

/**
 * First run: while the portal has no admin, a one-time setup code is printed to the console and written
 * to <PORTAL_DATA_DIR>/setup-code (like Jenkins' initialAdminPassword). Whoever enters it on /setup
 * becomes the first admin. Only its hash is stored; a restart issues a new code.
 */
const ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"; // no 0/O, 1/I/L, U

export function generateSetupCode(): string {
  const groups = Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => ALPHABET[randomInt(ALPHABET.length)]).join(""));
  return groups.join("-");
}

export function normaliseSetupCode(input: string): string {
  return input.toUpperCase().replace(/[^A-Z0-9]/g, "").replace(/(.{4})(?=.)/g, "$1-");
}

export async function hasAdmin(): Promise<boolean> {
  return (await db().user.count({ where: { role: "admin", disabled: false } })) > 0;
}

function codeFile(): string {
  return path.resolve(env().PORTAL_DATA_DIR, "setup-code");
}

/** Called once at server start. Returns the new code, or null when the portal is already claimed. */
export async function issueSetupCodeIfUnclaimed(): Promise<string | null> {
  if (await hasAdmin()) {
    await rm(codeFile(), { force: true });
    return null;
  }
  const code = generateSetupCode();
  await db().setupCode.upsert({
    where: { id: 1 },
    create: { id: 1, codeHash: sha256Hex(code) },
    update: { codeHash: sha256Hex(code), createdAt: new Date(), usedAt: null },
  });
  await mkdir(path.dirname(codeFile()), { recursive: true });
  await writeFile(codeFile(), `${code}\n`, { mode: 0o600 });
  return code;
}

