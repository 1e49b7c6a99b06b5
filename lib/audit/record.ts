import "server-only";
import type { Prisma } from "@/generated/prisma/client";
import { db } from "../db";

export interface AuditInput {
  actor: { id: string; name?: string | null } | null;
  action: string;
  target?: string;
  tenantId?: string | null;
  before?: Prisma.InputJsonValue;
  after?: Prisma.InputJsonValue;
}

/** Append one audit event. Never pass secrets in before/after. */
export async function recordAudit(input: AuditInput, tx: Pick<ReturnType<typeof db>, "auditEvent"> = db()): Promise<void> {
  await tx.auditEvent.create({
    data: {
      actorId: input.actor?.id,
      actorName: input.actor?.name ?? undefined,
      action: input.action,
      target: input.target,
      tenantId: input.tenantId ?? undefined,
      before: input.before,
      after: input.after,
    },
  });
}
