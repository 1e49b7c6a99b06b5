import "server-only";
import { cache } from "react";
import { getServerSession } from "next-auth";
import type { Role } from "@/generated/prisma/enums";
import { db } from "../db";
import { forbidden, unauthorized } from "../errors";
import { authOptions } from "./options";

export interface SessionUser {
  id: string;
  name: string | null;
  email: string;
  role: Role;
  tenantId: string | null;
}

/**
 * The signed-in user, read again from the database on every call so a role change or a disabled
 * account takes effect at once (the session cookie only carries the user id and its session version).
 * Memoised per server render with React's cache(), so a request's layout and page share one lookup.
 */
export const currentUser = cache(async (): Promise<SessionUser | null> => userForSession(await getServerSession(authOptions())));

/**
 * The user a decoded session (the `session` callback's output in lib/auth/options.ts) belongs to, or null
 * when the account is gone or disabled, or the session was ended: a JWT cannot be revoked, so each carries
 * the user's `sessionVersion` from sign-in (`sv`) and counts only while it still matches. Sign-out, a role
 * change and disabling bump the version, which ends every session of that person at once.
 */
export async function userForSession(session: unknown): Promise<SessionUser | null> {
  const s = session as { uid?: unknown; sv?: unknown } | null;
  if (typeof s?.uid !== "string") return null;
  const user = await db().user.findUnique({
    where: { id: s.uid },
    select: { id: true, name: true, email: true, role: true, tenantId: true, disabled: true, sessionVersion: true },
  });
  if (!user || user.disabled || !isCurrentSession(s.sv, user.sessionVersion)) return null;
  const { disabled: _disabled, sessionVersion: _sv, ...rest } = user;
  return rest;
}

/** A token signed before session versions existed carries none: it is refused (one sign-in after upgrading). */
export function isCurrentSession(tokenVersion: unknown, userVersion: number): boolean {
  return typeof tokenVersion === "number" && tokenVersion === userVersion;
}

export async function requireUser(roles?: readonly Role[], what?: string): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) throw unauthorized();
  if (roles && !roles.includes(user.role)) throw forbidden(what);
  return user;
}
