import "server-only";
import { db } from "../db";
import { DIRECTORY_FIELDS } from "./template";

/** The placeholders a run's recipients provide: the directory fields, or the CSV's columns (every row has them all). */
export async function runPlaceholders(runId: string): Promise<string[]> {
  const first = await db().bulkRecipient.findFirst({ where: { runId }, orderBy: { position: "asc" }, select: { fields: true } });
  const keys = first?.fields && typeof first.fields === "object" ? Object.keys(first.fields as object) : [];
  return keys.length ? keys : [...DIRECTORY_FIELDS];
}
