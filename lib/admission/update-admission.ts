import "server-only";
import type { Admission, Role } from "@/generated/prisma/enums";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { forbidden, notFound } from "../errors";
import { recordAudit } from "../audit/record";
import { admissionSchema } from "./schemas";
import { parseInput } from "../validate";

/**
 * Choose how people of a tenant get in when they first sign in with Microsoft (by invitation, by approval,
 * or automatically with a sender or auditor role — never admin). Audited with before and after.
 *   updateAdmission(actor, { tenantId, admission: "automatic", admissionRole: "sender" })
 */
export async function updateAdmission(
  actor: SessionUser,
  raw: { tenantId: string; admission: string; admissionRole: string },
): Promise<{ admission: Admission; admissionRole: Role }> {
  if (actor.role !== "admin") throw forbidden("change how people get in");
  const input = parseInput(admissionSchema, raw);
  return db().$transaction(async (tx) => {
    const before = await tx.tenant.findUnique({ where: { id: input.tenantId }, select: { name: true, admission: true, admissionRole: true } });
    if (!before) throw notFound("That tenant");
    const after = await tx.tenant.update({
      where: { id: input.tenantId },
      data: { admission: input.admission, admissionRole: input.admissionRole },
      select: { admission: true, admissionRole: true },
    });
    await recordAudit(
      {
        actor,
        action: "tenant.admission-changed",
        target: before.name,
        tenantId: input.tenantId,
        before: { admission: before.admission, admissionRole: before.admissionRole },
        after,
      },
      tx,
    );
    return after;
  });
}
