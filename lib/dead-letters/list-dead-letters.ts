import "server-only";
import type { Prisma } from "@/generated/prisma/client";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { forbidden } from "../errors";

/**
 * Dead letters: sends that ended `failed` — a permanent refusal, or a temporary one that lasted past
 * the outbox's retries (lib/outbox/process-send.ts) — and that no admin has retried or discarded yet.
 * Admins only. The restriction tests of the setup wizard are left out (they are meant to fail).
 */
export const deadLetterWhere: Prisma.SendWhereInput = { status: "failed", test: false, deadLetterResolvedAt: null };

export interface DeadLetter {
  id: string;
  tenantName: string;
  mode: string;
  fromAddress: string;
  subject: string;
  recipientCount: number;
  errorCode: string | null;
  errorMessage: string | null;
  attemptCount: number;
  createdAt: Date;
  completedAt: Date | null;
  actor: string | null;
}

export const DEAD_LETTER_PAGE = 200;

export async function listDeadLetters(actor: SessionUser): Promise<{ rows: DeadLetter[]; total: number }> {
  if (actor.role !== "admin") throw forbidden("see dead letters");
  const [rows, total] = await Promise.all([
    db().send.findMany({
      where: deadLetterWhere,
      orderBy: [{ completedAt: "desc" }, { id: "desc" }],
      take: DEAD_LETTER_PAGE,
      select: {
        id: true, mode: true, fromAddress: true, subject: true, recipientCount: true, errorCode: true, errorMessage: true,
        attemptCount: true, createdAt: true, completedAt: true, tenant: { select: { name: true } }, actorUser: { select: { name: true, email: true } },
      },
    }),
    db().send.count({ where: deadLetterWhere }),
  ]);
  return {
    total,
    rows: rows.map(({ tenant, actorUser, ...r }) => ({ ...r, tenantName: tenant.name, actor: actorUser ? (actorUser.name ?? actorUser.email) : null })),
  };
}
