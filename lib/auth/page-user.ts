import "server-only";
import { redirect } from "next/navigation";
import type { Role } from "@/generated/prisma/enums";
import { currentUser, type SessionUser } from "./session";
import { hasAdmin } from "./setup-code";

/** For pages: the signed-in user, or a redirect to sign-in (or to /setup while the portal is unclaimed). */
export async function pageUser(roles?: readonly Role[]): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) redirect((await hasAdmin()) ? "/sign-in" : "/setup");
  if (roles && !roles.includes(user.role)) redirect("/?denied=1");
  return user;
}
