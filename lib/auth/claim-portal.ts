import "server-only";
import { db } from "../db";
import { AppError } from "../errors";
import { recordAudit } from "../audit/record";
import { sha256Hex } from "../crypto";
import { hit, tryAgainIn } from "../rate-limit/hit";
import { hashPassword } from "./password";
import { normaliseSetupCode } from "./setup-code";
import { rm } from "node:fs/promises";
import path from "node:path";
import { env } from "../env";

const WRONG_CODE = new AppError("SETUP_CODE_INVALID", {
  userMessage: "That setup code is not valid. Copy it from the portal's console output or from .data/setup-code.",
  fields: { code: "That setup code is not valid" },
});

const ALREADY_CLAIMED = new AppError("ALREADY_CLAIMED", { userMessage: "This portal already has an admin. Sign in instead.", status: 409 });

/**
 * Makes the first admin. Anonymous callers reach this, so it refuses cheaply first: a claimed portal, too
 * many attempts from the caller's address (`ip`, see lib/rate-limit/client-ip.ts), a wrong code. Only a
 * valid code pays for the argon2 hash (anonymous calls that hashed first slowed every other request).
 * The code is consumed in the same transaction that creates the admin, so two people racing with the right
 * code cannot both become admin.
 */
export async function claimPortal(input: { code: string; name: string; email: string; password: string }, ctx: { ip?: string } = {}): Promise<{ id: string }> {
  if ((await db().user.count({ where: { role: "admin" } })) > 0) throw ALREADY_CLAIMED;
  const gate = await hit([{ limit: "claimIp", key: ctx.ip ?? "unknown" }]);
  if (!gate.ok) {
    throw new AppError("RATE_LIMITED", { userMessage: `Too many setup code attempts. ${tryAgainIn(gate.retryAfterMs)}`, status: 429 });
  }
  const codeHash = sha256Hex(normaliseSetupCode(input.code));
  if ((await db().setupCode.count({ where: { id: 1, codeHash, usedAt: null } })) !== 1) throw WRONG_CODE;

  const passwordHash = await hashPassword(input.password);
  const user = await db().$transaction(async (tx) => {
    const used = await tx.setupCode.updateMany({ where: { id: 1, codeHash, usedAt: null }, data: { usedAt: new Date() } });
    if (used.count !== 1) throw WRONG_CODE;
    if ((await tx.user.count({ where: { role: "admin" } })) > 0) throw ALREADY_CLAIMED;
    const email = input.email.toLowerCase();
    if (await tx.user.findFirst({ where: { email: { equals: email, mode: "insensitive" }, passwordHash: { not: null } }, select: { id: true } })) {
      throw new AppError("EMAIL_TAKEN", { userMessage: "That email is already used.", fields: { email: "That email is already used" } });
    }
    const created = await tx.user.create({ data: { email, name: input.name, role: "admin", passwordHash }, select: { id: true } });
    await recordAudit({ actor: { id: created.id, name: input.name }, action: "portal.claimed", target: email, after: { role: "admin" } }, tx);
    return created;
  });
  await rm(path.resolve(env().PORTAL_DATA_DIR, "setup-code"), { force: true });
  return user;
}
