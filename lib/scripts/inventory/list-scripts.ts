import "server-only";
import type { SessionUser } from "../../auth/session";
import { db } from "../../db";
import { assertScriptReader } from "./access";

export interface ScriptRow {
  id: string;
  name: string;
  tenantId: string;
  tenantName: string;
  encoding: string;
  callsFound: number;
  convertedCount: number;
  attentionCount: number;
  hasConverted: boolean;
  uploadedByName: string | null;
  createdAt: Date;
  convertedAt: Date;
}

export interface ScriptFilter {
  tenantId?: string;
  /** Only scripts with something to look at. */
  attention?: boolean;
}

/** The inventory (admins and auditors), newest first; texts are not read here. */
export async function listScripts(actor: SessionUser, filter: ScriptFilter = {}): Promise<ScriptRow[]> {
  assertScriptReader(actor);
  const rows = await db().mailScript.findMany({
    where: { ...(filter.tenantId ? { tenantId: filter.tenantId } : {}), ...(filter.attention ? { attentionCount: { gt: 0 } } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    take: 1000,
    select: {
      id: true, name: true, tenantId: true, encoding: true, callsFound: true, convertedCount: true, attentionCount: true,
      uploadedByName: true, createdAt: true, convertedAt: true, tenant: { select: { name: true } },
    },
  });
  // Whether a converted text exists, without reading the texts: Prisma has no "is not null" projection.
  const withConverted = new Set(
    (await db().mailScript.findMany({ where: { id: { in: rows.map((r) => r.id) }, converted: { not: null } }, select: { id: true } })).map((r) => r.id),
  );
  return rows.map(({ tenant, ...r }) => ({ ...r, tenantName: tenant.name, hasConverted: withConverted.has(r.id) }));
}
