import "server-only";
import type { SessionUser } from "../../auth/session";
import { recordAudit } from "../../audit/record";
import { db } from "../../db";
import { AppError } from "../../errors";
import { collectScripts, type Refusal } from "../convert/input";
import { assertScriptAdmin } from "./access";
import { conversionColumns } from "./store-conversion";

export interface UploadInput {
  tenantId: string;
  modulePath: string;
  uploads: { name: string; bytes: Uint8Array }[];
  pasted?: { name: string; text: string };
}

export interface UploadResult {
  created: { id: string; name: string; callsFound: number; convertedCount: number; attentionCount: number }[];
  refused: Refusal[];
}

/**
 * Converts uploaded or pasted scripts into the tenant's inventory (one row each, all in one transaction),
 * and says which files were refused and why. Nothing is stored when no file could be read.
 */
export async function uploadScripts(actor: SessionUser, input: UploadInput): Promise<UploadResult> {
  assertScriptAdmin(actor, "upload scripts");
  const tenant = await db().tenant.findUnique({ where: { id: input.tenantId }, select: { id: true, name: true } });
  if (!tenant) throw new AppError("NOT_FOUND", { userMessage: "That tenant was not found.", status: 422, fields: { tenantId: "Choose a tenant." } });
  const { scripts, refused } = collectScripts(input.uploads, input.pasted);
  if (scripts.length === 0) {
    const why = refused.length ? refused.map((r) => `${r.name}: ${r.reason}`).join(" ") : "Choose .ps1, .psm1 or .zip files, or paste a script.";
    throw new AppError("NO_SCRIPTS", { userMessage: "No script could be read.", status: 422, fields: { files: why } });
  }
  const rows: ({ name: string; encoding: string; original: string } & Awaited<ReturnType<typeof conversionColumns>>)[] = [];
  for (const s of scripts) rows.push({ name: s.name, encoding: s.encoding, original: s.text, ...(await conversionColumns(s.text, s.encoding, input.modulePath)) });
  const created = await db().$transaction(async (tx) => {
    const out: UploadResult["created"] = [];
    for (const r of rows) {
      const row = await tx.mailScript.create({
        data: { ...r, tenantId: tenant.id, uploadedById: actor.id, uploadedByName: actor.name ?? actor.email },
        select: { id: true, name: true, callsFound: true, convertedCount: true, attentionCount: true },
      });
      out.push(row);
    }
    await recordAudit(
      {
        actor,
        action: "script.uploaded",
        target: out.length === 1 ? out[0]!.name : `${out.length} scripts`,
        tenantId: tenant.id,
        after: { scripts: out.map((o) => ({ id: o.id, name: o.name, calls: o.callsFound, converted: o.convertedCount, attention: o.attentionCount })), refused: refused.length },
      },
      tx,
    );
    return out;
  });
  return { created, refused };
}
