import "server-only";
import type { SessionUser } from "../auth/session";
import { forbidden } from "../errors";

/** Rotating credentials and choosing who mails the warnings: admins. Checked in every lib op, where the data is. */
export function requireCredentialAdmin(actor: SessionUser): void {
  if (actor.role !== "admin") throw forbidden("rotate credentials");
}

/** The expiry view and a rotation's state: admins and auditors (read only). */
export function requireCredentialReader(actor: SessionUser): void {
  if (actor.role !== "admin" && actor.role !== "auditor") throw forbidden("see credential expiry");
}
