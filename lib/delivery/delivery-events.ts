import "server-only";
import type { SessionUser } from "../auth/session";
import { db } from "../db";
import { AppError, notFound } from "../errors";
import { graphClient } from "../graph/client";
import { loadTenantAccess } from "../graph/tenant-access";
import { appToken } from "../graph/tokens";
import { visibleSendsWhere } from "../sends/visibility";
import { traceDetails, TraceUnavailable, type TraceEvent } from "./trace-client";

/**
 * A recipient's detail events, fetched on demand (getDetailsByRecipient:
 * learn.microsoft.com/graph/api/exchangemessagetrace-getdetailsbyrecipient) for whoever may see the send:
 * the send is looked up under History's visibility rule first, so another person's send is "not found".
 * The request counts against the tenant's message trace budget; when it is spent the person is told when
 * to try again rather than waiting.
 */
export async function deliveryEvents(actor: SessionUser, sendId: string, recipient: string): Promise<{ recipient: string; status: string; events: TraceEvent[] }> {
  const s = await db().send.findFirst({
    where: { id: sendId, ...visibleSendsWhere(actor) },
    select: { tenantId: true, deliveries: { where: { recipient: recipient.trim().toLowerCase() }, select: { recipient: true, status: true, traceId: true } } },
  });
  if (!s) throw notFound("That send");
  const d = s.deliveries[0];
  if (!d?.traceId) throw notFound("Delivery events for that recipient");
  const t = await loadTenantAccess(s.tenantId);
  const client = graphClient(t, async () => (await appToken(t)).accessToken);
  try {
    const events = await traceDetails(client, d.traceId, d.recipient, { tenantId: s.tenantId, maxWaitMs: 0, timeoutMs: 30_000 });
    return { recipient: d.recipient, status: d.status, events };
  } catch (err) {
    if (!(err instanceof TraceUnavailable)) throw err;
    const wait = err.waitMs ? ` Try again in ${Math.ceil(err.waitMs / 1000)} s.` : "";
    throw new AppError("TRACE_UNAVAILABLE", { userMessage: `${err.message}${wait}`, status: err.reason === "denied" ? 409 : 503 });
  }
}
