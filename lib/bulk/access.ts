import "server-only";
import type { Prisma } from "@/generated/prisma/client";
import type { SessionUser } from "../auth/session";
import { db } from "../db";
import { notFound } from "../errors";
import { SENDING_ROLES } from "../grants/may-send";

/**
 * Who sees and who acts on a bulk run. Like History (lib/sends/visibility.ts): its creator, and admins
 * and auditors, see it; anyone else does not learn it exists (404). Only its creator edits and starts
 * or resumes it — the messages go out under the creator's grant, checked in lib/grants — and an admin
 * may also pause or cancel someone's run (a safety stop). Auditors only read.
 */
export const mayCreateRuns = (actor: SessionUser): boolean => SENDING_ROLES.includes(actor.role);

export function visibleRunsWhere(actor: SessionUser): Prisma.BulkRunWhereInput {
  return actor.role === "admin" || actor.role === "auditor" ? {} : { createdById: actor.id };
}

export async function findVisibleRun(actor: SessionUser, runId: string) {
  const run = await db().bulkRun.findFirst({ where: { id: runId, ...visibleRunsWhere(actor) } });
  if (!run) throw notFound("That bulk run");
  return run;
}
