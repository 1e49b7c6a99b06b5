import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { forbidden } from "../errors";

/** Each tenant's message size limit (admins and auditors). */
export async function listMessageSize(actor: SessionUser): Promise<{ id: string; name: string; maxSendSizeBytes: number }[]> {
  if (actor.role !== "admin" && actor.role !== "auditor") throw forbidden("see message size settings");
  return db().tenant.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true, maxSendSizeBytes: true } });
}
