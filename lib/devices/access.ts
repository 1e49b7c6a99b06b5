import "server-only";
import type { SessionUser } from "../auth/session";
import { forbidden } from "../errors";

/**
 * Who may do what with SMTP devices: admins manage them (add, edit, rotate, revoke, test); auditors may
 * read them (list, detail, connection card). Every lib/devices operation asks here first.
 */
export function assertMayManageDevices(actor: SessionUser, what = "manage SMTP devices"): void {
  if (actor.role !== "admin") throw forbidden(what);
}

export function assertMayReadDevices(actor: SessionUser): void {
  if (actor.role !== "admin" && actor.role !== "auditor") throw forbidden("see SMTP devices");
}
