import "server-only";
import type { SessionUser } from "../auth/session";
import { forbidden } from "../errors";

/** The audit trail is read-only and visible to admins and auditors only: every audit read starts here. */
export function assertMayReadAudit(actor: SessionUser): void {
  if (actor.role !== "admin" && actor.role !== "auditor") throw forbidden("read the audit trail");
}
