import "server-only";
import type { Prisma } from "@/generated/prisma/client";
import { db } from "../db";
import { redactSecrets } from "./redact";

export interface AuditInput {
  actor: { id: string; name?: string | null } | null;
  action: string;
  target?: string;
  tenantId?: string | null;
  before?: Prisma.InputJsonValue;
  after?: Prisma.InputJsonValue;
}

const redactJson = (v: Prisma.InputJsonValue | undefined) =>
  v === undefined ? undefined : (redactSecrets(v) as Prisma.InputJsonValue);

/**
 * Append one audit event. before/after (and a target that is a token or a private key) are redacted
 * here, so a caller that passes a secret by mistake still never stores it (lib/audit/redact.ts).
 */
export async function recordAudit(
  input: AuditInput,
  tx: Pick<ReturnType<typeof db>, "auditEvent"> = db(),
): Promise<void> {
  await tx.auditEvent.create({
    data: {
      actorId: input.actor?.id,
      actorName: input.actor?.name ?? undefined,
      action: input.action,
      target: input.target === undefined ? undefined : (redactSecrets(input.target) as string),
      tenantId: input.tenantId ?? undefined,
      before: redactJson(input.before),
      after: redactJson(input.after),
    },
  });
}
