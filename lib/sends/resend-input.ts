import "server-only";

/** The stored columns a send is queued again from. */
export interface StoredSend {
  tenantId: string;
  mode: string;
  fromAddress: string;
  toAddresses: string[];
  ccAddresses: string[];
  bccAddresses: string[];
  replyToAddresses: string[];
  subject: string;
  bodyType: string;
  body: string | null;
  importance: string;
  saveToSent: boolean;
  headers: unknown;
}

/**
 * A stored send as queue-send's input, for a copy queued again ("Send again" in History, a dead letter's
 * retry): the same tenant, message and mode (a bulk or API send goes again as an application send).
 */
export function resendInput(s: StoredSend) {
  return {
    tenantId: s.tenantId, mode: s.mode === "delegated" ? "delegated" : "app", from: s.fromAddress,
    to: s.toAddresses, cc: s.ccAddresses, bcc: s.bccAddresses, replyTo: s.replyToAddresses, subject: s.subject,
    bodyType: s.bodyType, body: s.body, importance: s.importance, saveToSent: s.saveToSent, headers: s.headers,
  };
}
