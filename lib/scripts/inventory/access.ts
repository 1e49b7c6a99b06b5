import "server-only";
import type { SessionUser } from "../../auth/session";
import { forbidden } from "../../errors";

/** Admins manage the script inventory; auditors read it (and download); senders have no part in it. */
export function assertScriptReader(actor: SessionUser): void {
  if (actor.role !== "admin" && actor.role !== "auditor") throw forbidden("see the script inventory");
}

export function assertScriptAdmin(actor: SessionUser, what = "manage scripts"): void {
  if (actor.role !== "admin") throw forbidden(what);
}
