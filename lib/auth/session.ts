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
 * account takes effect at once (the session cookie only carries the user id). Memoised per server render
 * with React's cache(), so a request's layout and page share one lookup.
 */
export const currentUser = cache(async (): Promise<SessionUser | null> => {
  const session = (await getServerSession(authOptions())) as { uid?: string } | null;
  if (!session?.uid) return null;
  const user = await db().user.findUnique({
    where: { id: session.uid },
    select: { id: true, name: true, email: true, role: true, tenantId: true, disabled: true },
  });
  if (!user || user.disabled) return null;
  const { disabled: _disabled, ...rest } = user;
  return rest;
});

export async function requireUser(roles?: readonly Role[], what?: string): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) throw unauthorized();
  if (roles && !roles.includes(user.role)) throw forbidden(what);
  return user;
}
