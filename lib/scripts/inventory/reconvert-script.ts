import "server-only";
import type { SessionUser } from "../../auth/session";
import { recordAudit } from "../../audit/record";
import { db } from "../../db";
import { notFound } from "../../errors";
import type { ScriptEncoding } from "../convert/encoding";
import { assertScriptAdmin } from "./access";
import { conversionColumns } from "./store-conversion";

/** Converts a stored original again (after a converter update, or with another module path). */
export async function reconvertScript(actor: SessionUser, input: { scriptId: string; modulePath?: string }) {
  assertScriptAdmin(actor, "convert scripts");
  const s = await db().mailScript.findUnique({
    where: { id: input.scriptId },
    select: { id: true, name: true, tenantId: true, original: true, encoding: true, modulePath: true, convertedCount: true, attentionCount: true },
  });
  if (!s) throw notFound("That script");
  const cols = await conversionColumns(s.original, s.encoding as ScriptEncoding, input.modulePath ?? s.modulePath);
  return db().$transaction(async (tx) => {
    const row = await tx.mailScript.update({ where: { id: s.id }, data: cols, select: { id: true, convertedCount: true, attentionCount: true, callsFound: true } });
    await recordAudit(
      {
        actor,
        action: "script.reconverted",
        target: s.name,
        tenantId: s.tenantId,
        before: { converted: s.convertedCount, attention: s.attentionCount },
        after: { converted: row.convertedCount, attention: row.attentionCount },
      },
      tx,
    );
    return row;
  });
}
