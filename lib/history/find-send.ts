import "server-only";
import { visibleSendsWhere, type KeyViewer } from "../sends/visibility";
import { restrictionOf } from "../sends/explain-failure";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { notFound } from "../errors";

export interface AttachmentView {
  name: string;
  size: number | null;
  contentType: string | null;
}

export interface HeaderView {
  name: string;
  value: string;
}

function asAttachments(v: unknown): AttachmentView[] {
  if (!Array.isArray(v)) return [];
  return v.map((a: Record<string, unknown>) => ({
    name: typeof a?.name === "string" ? a.name : "(unnamed)",
    size: typeof a?.size === "number" ? a.size : typeof a?.sizeBytes === "number" ? a.sizeBytes : null,
    contentType: typeof a?.contentType === "string" ? a.contentType : null,
  }));
}

function asHeaders(v: unknown): HeaderView[] {
  if (Array.isArray(v)) {
    return v
      .filter((h): h is Record<string, unknown> => typeof h === "object" && h !== null)
      .map((h) => ({ name: String(h.name ?? ""), value: String(h.value ?? "") }));
  }
  if (v && typeof v === "object") return Object.entries(v).map(([name, value]) => ({ name, value: String(value) }));
  return [];
}

/**
 * One send as sent, with every Graph attempt. Senders may open only their own sends; a send they may
 * not see is "not found" (not "forbidden"), so ids of other people's sends reveal nothing.
 */
export async function findSend(actor: SessionUser | KeyViewer, id: string) {
  const s = await db().send.findFirst({
    where: { id, ...visibleSendsWhere(actor) },
    select: {
      id: true, createdAt: true, updatedAt: true, completedAt: true, status: true, mode: true, fromAddress: true,
      toAddresses: true, ccAddresses: true, bccAddresses: true, replyToAddresses: true, recipientCount: true, subject: true, bodyType: true,
      body: true, sizeBytes: true, attachments: true, headers: true, importance: true, saveToSent: true,
      errorCode: true, errorMessage: true, attemptCount: true, nextAttemptAt: true, test: true,
      // Delivery status beyond 202 (lib/delivery).
      deliveryState: true, deliveryCheckedAt: true, internetMessageId: true, traceEvidence: true, retriedAsId: true,
      deliveries: { orderBy: { recipient: "asc" }, select: { recipient: true, status: true, traceId: true, receivedAt: true, lastCheckedAt: true } },
      tenant: { select: { id: true, name: true, metadataOnly: true, wizardData: true, messageTrace: true } },
      actorUser: { select: { email: true, name: true } },
      apiKey: { select: { name: true, displayPrefix: true } },
      attempts: {
        orderBy: { number: "asc" },
        select: { id: true, number: true, startedAt: true, durationMs: true, httpStatus: true, graphCode: true, message: true, requestId: true, clientRequestId: true, retryAfterMs: true, outcome: true, operation: true },
      },
    },
  });
  if (!s) throw notFound("That send");
  const { wizardData, ...tenant } = s.tenant;
  return { ...s, tenant, restriction: restrictionOf(wizardData), attachments: asAttachments(s.attachments), headers: asHeaders(s.headers) };
}

export type SendDetail = Awaited<ReturnType<typeof findSend>>;
