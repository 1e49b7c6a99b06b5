import "server-only";
import type { SessionUser } from "@/lib/auth/session";
import { forbidden } from "@/lib/errors";

/** Every wizard operation checks the role again where the data is (the pages and actions check too). */
export function requireAdmin(actor: SessionUser): void {
  if (actor.role !== "admin") throw forbidden("set up tenants");
}
