import "server-only";
import { zipSync } from "fflate";
import type { SessionUser } from "../../auth/session";
import { recordAudit } from "../../audit/record";
import { db } from "../../db";
import { AppError, notFound } from "../../errors";
import { encodeScript, type ScriptEncoding } from "../convert/encoding";
import { assertScriptReader } from "./access";

export type Which = "converted" | "original";

/** A file's name for Content-Disposition: an ASCII fallback and the exact name in RFC 8187 (RFC 6266 §4.3). */
export function contentDisposition(name: string): string {
  const base = name.split("/").pop() ?? name;
  const ascii = base.replace(/[^\x20-\x7e]|["\\%;]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(base)}`;
}

/** One script, converted or original, in the file's own encoding (admins and auditors; audited). */
export async function scriptFile(actor: SessionUser, scriptId: string, which: Which): Promise<{ name: string; bytes: Uint8Array }> {
  assertScriptReader(actor);
  const s = await db().mailScript.findUnique({ where: { id: scriptId }, select: { id: true, name: true, tenantId: true, encoding: true, original: true, converted: true } });
  if (!s) throw notFound("That script");
  const text = which === "converted" ? s.converted : s.original;
  if (text === null) throw new AppError("NOT_CONVERTED", { userMessage: "This script has no converted version: see why on its page.", status: 409 });
  await recordAudit({ actor, action: "script.downloaded", target: s.name, tenantId: s.tenantId, after: { id: s.id, which } });
  return { name: s.name, bytes: encodeScript(text, s.encoding as ScriptEncoding) };
}

/** "a.ps1" twice in one zip → "a.ps1", "a (2).ps1". */
function uniqueNames(names: string[]): string[] {
  const seen = new Set<string>();
  return names.map((n) => {
    let candidate = n;
    for (let i = 2; seen.has(candidate.toLowerCase()); i++) candidate = n.replace(/(\.[^./]+)?$/, (ext) => ` (${i})${ext}`);
    seen.add(candidate.toLowerCase());
    return candidate;
  });
}

/**
 * The converted files of a tenant's scripts (optionally only those needing attention, or the ids given) as
 * one zip, each under its own name (a zip's folders kept) and encoding. Scripts without a converted version
 * are left out and listed in SKIPPED.txt.
 */
export async function scriptsZip(actor: SessionUser, filter: { tenantId: string; ids?: string[]; attention?: boolean }): Promise<{ name: string; bytes: Uint8Array; count: number }> {
  assertScriptReader(actor);
  const tenant = await db().tenant.findUnique({ where: { id: filter.tenantId }, select: { id: true, name: true } });
  if (!tenant) throw notFound("That tenant");
  const rows = await db().mailScript.findMany({
    where: { tenantId: tenant.id, ...(filter.ids ? { id: { in: filter.ids } } : {}), ...(filter.attention ? { attentionCount: { gt: 0 } } : {}) },
    orderBy: [{ name: "asc" }, { id: "asc" }],
    take: 1000,
    select: { id: true, name: true, encoding: true, converted: true },
  });
  const ready = rows.filter((r) => r.converted !== null);
  if (ready.length === 0) throw new AppError("NOT_CONVERTED", { userMessage: "None of these scripts has a converted version to download.", status: 409 });
  const names = uniqueNames(ready.map((r) => r.name));
  const files: Record<string, Uint8Array> = {};
  ready.forEach((r, i) => (files[names[i]!] = encodeScript(r.converted!, r.encoding as ScriptEncoding)));
  const skipped = rows.filter((r) => r.converted === null).map((r) => r.name);
  if (skipped.length) files["SKIPPED.txt"] = new TextEncoder().encode(`Not converted (see each script's page in the portal):\r\n${skipped.join("\r\n")}\r\n`);
  await recordAudit({ actor, action: "script.downloaded", target: `${ready.length} scripts (zip)`, tenantId: tenant.id, after: { ids: ready.map((r) => r.id), which: "converted" } });
  const stamp = new Date().toISOString().slice(0, 10);
  return { name: `converted-scripts-${stamp}.zip`, bytes: zipSync(files, { level: 6 }), count: ready.length };
}
