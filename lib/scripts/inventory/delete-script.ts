import "server-only";
import type { SessionUser } from "../../auth/session";
import { recordAudit } from "../../audit/record";
import { db } from "../../db";
import { notFound } from "../../errors";
import { assertScriptAdmin } from "./access";

/** Removes a script from the inventory (both texts); the audit trail keeps its name and counts. */
export async function deleteScript(actor: SessionUser, input: { scriptId: string }): Promise<void> {
  assertScriptAdmin(actor, "delete scripts");
  await db().$transaction(async (tx) => {
    const s = await tx.mailScript.findUnique({ where: { id: input.scriptId }, select: { id: true, name: true, tenantId: true, callsFound: true, convertedCount: true, attentionCount: true } });
    if (!s) throw notFound("That script");
    await tx.mailScript.delete({ where: { id: s.id } });
    await recordAudit({ actor, action: "script.deleted", target: s.name, tenantId: s.tenantId, before: { id: s.id, calls: s.callsFound, converted: s.convertedCount, attention: s.attentionCount } }, tx);
  });
}
