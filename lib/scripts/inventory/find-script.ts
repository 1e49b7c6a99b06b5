import "server-only";
import type { SessionUser } from "../../auth/session";
import { db } from "../../db";
import { notFound } from "../../errors";
import type { ScriptEncoding } from "../convert/encoding";
import type { Problem } from "../convert/problems";
import { assertScriptReader } from "./access";

export interface ScriptDetail {
  id: string;
  name: string;
  tenantId: string;
  tenantName: string;
  encoding: ScriptEncoding;
  original: string;
  converted: string | null;
  modulePath: string;
  callsFound: number;
  convertedCount: number;
  attentionCount: number;
  problems: Problem[];
  uploadedByName: string | null;
  createdAt: Date;
  convertedAt: Date;
}

/** One script with both texts (admins and auditors). */
export async function findScript(actor: SessionUser, scriptId: string): Promise<ScriptDetail> {
  assertScriptReader(actor);
  const s = await db().mailScript.findUnique({
    where: { id: scriptId },
    select: {
      id: true, name: true, tenantId: true, encoding: true, original: true, converted: true, modulePath: true, callsFound: true,
      convertedCount: true, attentionCount: true, problems: true, uploadedByName: true, createdAt: true, convertedAt: true,
      tenant: { select: { name: true } },
    },
  });
  if (!s) throw notFound("That script");
  const { tenant, ...rest } = s;
  return { ...rest, tenantName: tenant.name, encoding: rest.encoding as ScriptEncoding, problems: rest.problems as unknown as Problem[] };
}
