import type { Prisma } from "@/generated/prisma/client";
import type { Role } from "@/generated/prisma/enums";

/**
 * Who sees which sends — the one rule behind History (list, detail, export, charts), the compose
 * page's status and the dashboard: admins and auditors see every tenant's sends; anyone else only
 * the sends they made. The wizard's restriction tests (`test`) are shown with the wizard and left out
 * of lists and counts.
 */
export const seesAllSends = (actor: { role: Role }): boolean => actor.role === "admin" || actor.role === "auditor";

export function visibleSendsWhere(actor: { id: string; role: Role }): Prisma.SendWhereInput {
  return seesAllSends(actor) ? {} : { actorUserId: actor.id };
}

/** For lists and counts: visible sends, without the wizard's restriction tests. */
export function listedSendsWhere(actor: { id: string; role: Role }): Prisma.SendWhereInput {
  return { ...visibleSendsWhere(actor), test: false };
}
