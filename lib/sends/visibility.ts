import type { Prisma } from "@/generated/prisma/client";
import type { Role } from "@/generated/prisma/enums";

/**
 * Who sees which sends — the one rule behind History (list, detail, export, charts), the compose
 * page's status and the dashboard: admins and auditors see every tenant's sends; anyone else only
 * the sends they made. The wizard's restriction tests (`test`) are shown with the wizard and left out
 * of lists and counts.
 */
export const seesAllSends = (actor: { role: Role }): boolean => actor.role === "admin" || actor.role === "auditor";

/**
 * An API key reading through the REST API (GET /api/v1/messages): it sees the sends it queued itself,
 * in its own tenant, and nothing else — not another key's, not a person's.
 */
export interface KeyViewer {
  apiKeyId: string;
  tenantId: string;
}

export type Viewer = { id: string; role: Role } | KeyViewer;

export const isKeyViewer = (v: Viewer): v is KeyViewer => "apiKeyId" in v;

export function visibleSendsWhere(actor: Viewer): Prisma.SendWhereInput {
  if (isKeyViewer(actor)) return { apiKeyId: actor.apiKeyId, tenantId: actor.tenantId, test: false };
  return seesAllSends(actor) ? {} : { actorUserId: actor.id };
}

/** For lists and counts: visible sends, without the wizard's restriction tests. */
export function listedSendsWhere(actor: Viewer): Prisma.SendWhereInput {
  return { ...visibleSendsWhere(actor), test: false };
}
