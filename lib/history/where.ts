import "server-only";
import { Prisma } from "@/generated/prisma/client";
import type { SessionUser } from "../auth/session";
import type { HistoryFilter } from "../schemas/history";
import { pgTimestamp } from "./cursor";
import { isKeyViewer, seesAllSends, type KeyViewer } from "../sends/visibility";

/**
 * Who may see which sends, as SQL: senders see the sends they made; auditors and admins see every
 * tenant's. Every history query (list, detail, export, chart, volume) starts from this.
 */
export function scopeSql(actor: SessionUser | KeyViewer, tests: HistoryFilter["tests"] = undefined): Prisma.Sql {
  // The rule of lib/sends/visibility.ts in SQL. The wizard's restriction tests are not listed or counted
  // unless History's filter asks for them (people only: an API key never sees them).
  const t = isKeyViewer(actor) || !tests ? Prisma.sql`NOT s."test"` : tests === "only" ? Prisma.sql`s."test"` : Prisma.sql`TRUE`;
  if (isKeyViewer(actor)) return Prisma.sql`s."apiKeyId" = ${actor.apiKeyId} AND s."tenantId" = ${actor.tenantId} AND ${t}`;
  if (seesAllSends(actor)) return t;
  return Prisma.sql`s."actorUserId" = ${actor.id} AND ${t}`;
}

/**
 * Search words → a prefix tsquery ("invo lovel" → invo:* & lovel:*). Only letters and digits reach
 * to_tsquery, so no input can inject tsquery syntax; the document side splits on the same characters
 * (migration 20261128210500).
 */
export function searchQuery(q: string): string | null {
  const words = (q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 12);
  return words.length ? words.map((w) => `${w}:*`).join(" & ") : null;
}

/**
 * The WHERE clause of a filtered history view (alias `s` for "Send"), always scoped to the actor.
 * `on: "rollup"` writes the same filter for the chart's rollups and their deltas (migration
 * 20261207090000): the same column names, with `day` for the createdAt's date and `address` for
 * lower(fromAddress); absent ids are '' there, which no id subquery returns, so the rules read the same.
 * The rollups cannot answer a search or a recipient (lib/history/send-stats.ts keeps the live query for those).
 */
export function filterSql(actor: SessionUser | KeyViewer, f: HistoryFilter, on: "send" | "rollup" = "send"): Prisma.Sql {
  if (on === "rollup" && (f.q || f.recipient)) throw new Error("filterSql: the rollups hold no search words or recipients");
  const parts: Prisma.Sql[] = [scopeSql(actor, f.tests)];
  if (f.status) parts.push(Prisma.sql`s."status" = ${f.status}::"SendStatus"`);
  if (f.mode) parts.push(Prisma.sql`s."mode" = ${f.mode}::"SendMode"`);
  // Message trace's verdict (lib/delivery); the partial index "Send_deliveryState_createdAt_id_idx" serves it.
  if (f.delivery) parts.push(Prisma.sql`s."deliveryState" = ${f.delivery}`);
  if (f.tenant) parts.push(Prisma.sql`s."tenantId" = ${f.tenant}`);
  if (f.sender) parts.push(on === "rollup" ? Prisma.sql`s."address" = ${f.sender}` : Prisma.sql`lower(s."fromAddress") = ${f.sender}`);
  // The same expression as the GIN index "Send_recipients_idx", so the planner can use it.
  if (f.recipient) parts.push(Prisma.sql`(s."toAddresses" || s."ccAddresses" || s."bccAddresses") @> ARRAY[${f.recipient}]::text[]`);
  if (f.actor) parts.push(Prisma.sql`s."actorUserId" IN (SELECT u.id FROM "User" u WHERE lower(u.email) = ${f.actor})`);
  if (f.key) parts.push(Prisma.sql`s."apiKeyId" IN (SELECT k.id FROM "ApiKey" k WHERE k.name = ${f.key} OR k."displayPrefix" = ${f.key})`);
  if (f.device) parts.push(Prisma.sql`s."deviceId" IN (SELECT d.id FROM "Device" d WHERE d.id = ${f.device} OR d.username = ${f.device} OR d.name = ${f.device})`);
  if (on === "rollup") {
    if (f.from) parts.push(Prisma.sql`s."day" >= ${f.from}::date`);
    if (f.to) parts.push(Prisma.sql`s."day" <= ${f.to}::date`);
    return Prisma.join(parts, " AND ");
  }
  if (f.from) parts.push(Prisma.sql`s."createdAt" >= ${`${f.from}T00:00:00`}::timestamp(3)`);
  if (f.to) parts.push(Prisma.sql`s."createdAt" < (${`${f.to}T00:00:00`}::timestamp(3) + interval '1 day')`);
  const tsq = f.q ? searchQuery(f.q) : null;
  if (tsq) parts.push(Prisma.sql`s."searchVector" @@ to_tsquery('simple', ${tsq})`);
  else if (f.q) parts.push(Prisma.sql`FALSE`); // only punctuation: nothing can match
  return Prisma.join(parts, " AND ");
}

export function afterSql(c: { createdAt: Date; id: string }, dir: "next" | "prev"): Prisma.Sql {
  return dir === "next"
    ? Prisma.sql`(s."createdAt", s.id) < (${pgTimestamp(c.createdAt)}::timestamp(3), ${c.id})`
    : Prisma.sql`(s."createdAt", s.id) > (${pgTimestamp(c.createdAt)}::timestamp(3), ${c.id})`;
}
