import "server-only";
import type { z } from "zod";
import type { ApiKeyCaller } from "../api-keys/authenticate-key";
import { findSend } from "../history/find-send";
import { explainSend } from "../history/explain-send";
import type { SendListRow } from "../history/columns";
import type { messageStatusSchema, messageSummarySchema } from "../schemas/api-v1";
import { AppError } from "../errors";

/**
 * GET /api/v1/messages/{id}: one send the key queued (another key's or a person's send is "not found",
 * so ids reveal nothing), with its attempts and, when it failed, the same plain-words explanation the
 * History page shows (lib/history/explain-send.ts).
 */
export async function messageStatus(key: ApiKeyCaller, id: string): Promise<z.infer<typeof messageStatusSchema>> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new AppError("NOT_FOUND", { userMessage: "That message was not found.", status: 404 });
  const s = await findSend({ apiKeyId: key.id, tenantId: key.tenantId }, id).catch((err: unknown) => {
    if (err instanceof AppError && err.status === 404) throw new AppError("NOT_FOUND", { userMessage: "That message was not found (it may be another key's, or purged by the tenant's retention).", status: 404 });
    throw err;
  });
  const e = explainSend(s);
  return {
    id: s.id,
    status: s.status,
    mode: s.mode,
    from: s.fromAddress,
    toRecipients: s.toAddresses,
    ccRecipients: s.ccAddresses,
    bccRecipients: s.bccAddresses,
    subject: s.subject,
    createdAt: s.createdAt.toISOString(),
    completedAt: s.completedAt?.toISOString() ?? null,
    attemptCount: s.attemptCount,
    errorCode: s.errorCode,
    failure: e ? { title: e.title, detail: e.detail, action: e.action } : null,
    attempts: s.attempts.map((a) => ({
      number: a.number,
      operation: a.operation,
      startedAt: a.startedAt.toISOString(),
      durationMs: a.durationMs,
      httpStatus: a.httpStatus,
      graphCode: a.graphCode,
      message: a.message,
      requestId: a.requestId,
      outcome: a.outcome,
    })),
    deliveryStatus: (s.deliveryState as z.infer<typeof messageStatusSchema>["deliveryStatus"]) ?? null,
    delivery: s.deliveries.map((d) => ({
      recipient: d.recipient,
      status: d.status as z.infer<typeof messageStatusSchema>["delivery"][number]["status"],
      receivedAt: d.receivedAt?.toISOString() ?? null,
      checkedAt: d.lastCheckedAt.toISOString(),
    })),
  };
}

export function messageSummary(r: SendListRow): z.infer<typeof messageSummarySchema> {
  return {
    id: r.id,
    status: r.status as z.infer<typeof messageSummarySchema>["status"],
    from: r.fromAddress,
    toRecipients: r.toAddresses,
    recipientCount: r.recipientCount,
    subject: r.subject,
    createdAt: r.createdAt.toISOString(),
    completedAt: r.completedAt?.toISOString() ?? null,
    attemptCount: r.attemptCount,
    errorCode: r.errorCode,
  };
}
