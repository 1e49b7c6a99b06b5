import { keyRoute } from "@/lib/api-v1/key-route";
import { readJsonBody } from "@/lib/api-v1/read-body";
import { queueMessage } from "@/lib/api-v1/queue-message";
import { messageSummary } from "@/lib/api-v1/message-view";
import { IDEMPOTENCY_KEY, idempotentSend } from "@/lib/api-keys/idempotent-send";
import { AppError } from "@/lib/errors";
import { findSends } from "@/lib/history/find-sends";
import { historyFilterSchema, paramsRecord } from "@/lib/schemas/history";
import { listQueryExtraSchema, messageRequestSchema } from "@/lib/schemas/api-v1";
import { kickSend } from "@/lib/outbox/worker";

// POST: queue a message as the key (202 + Location). GET: the key's own messages, History's filters, keyset pages.
export const POST = keyRoute({ countRate: true }, async ({ req, key }) => {
  const raw = await readJsonBody(req);
  const message = messageRequestSchema.parse(raw);
  const idemKey = req.headers.get("idempotency-key");
  if (idemKey !== null && !IDEMPOTENCY_KEY.test(idemKey)) {
    throw new AppError("VALIDATION_FAILED", { userMessage: "Idempotency-Key is 1 to 255 visible ASCII characters.", status: 422, fields: { "Idempotency-Key": "1 to 255 visible ASCII characters" } });
  }
  const { id, replayed } = idemKey
    ? await idempotentSend(key.id, idemKey, raw, (claimId) => queueMessage(key, message, claimId))
    : { ...(await queueMessage(key, message)), replayed: false };
  if (!replayed) kickSend(id);
  const location = `/api/v1/messages/${id}`;
  return Response.json({ id, status: "queued", location }, { status: 202, headers: { location, ...(replayed ? { "idempotent-replayed": "true" } : {}) } });
});

export const GET = keyRoute({}, async ({ req, key }) => {
  const params = paramsRecord(req.nextUrl.searchParams);
  const { cursor, limit, ...rest } = params;
  const page = listQueryExtraSchema.parse({ cursor, limit });
  const filter = historyFilterSchema.parse(rest);
  const found = await findSends({ apiKeyId: key.id, tenantId: key.tenantId }, filter, { cursor: page.cursor, limit: page.limit ?? 50 });
  let nextLink: string | null = null;
  if (found.next) {
    const u = new URL(req.nextUrl.pathname, "http://x");
    for (const [k, v] of Object.entries(params)) if (k !== "cursor") u.searchParams.set(k, v);
    u.searchParams.set("cursor", found.next);
    nextLink = `${u.pathname}${u.search}`;
  }
  return Response.json({ value: found.rows.map(messageSummary), nextCursor: found.next, "@odata.nextLink": nextLink }, { headers: { "cache-control": "no-store" } });
});
