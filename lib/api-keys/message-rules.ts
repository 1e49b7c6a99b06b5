import "server-only";
import type { ApiKeyCaller } from "./authenticate-key";

/**
 * The rules an admin set on an API key beyond its mailbox grants: the recipient domains it may write to
 * (empty: any) and the largest message it may queue. Checked by lib/sends/queue-send.ts before the Send
 * is written; the field names are the REST API's (toRecipients, attachments).
 */
export function keyMessageRefusal(
  key: Pick<ApiKeyCaller, "allowedRecipientDomains" | "maxMessageBytes">,
  m: { recipients: string[]; sizeBytes: number },
): { field: string; message: string } | null {
  if (key.allowedRecipientDomains.length) {
    const allowed = new Set(key.allowedRecipientDomains.map((d) => d.toLowerCase()));
    const outside = m.recipients.find((r) => !allowed.has(r.slice(r.lastIndexOf("@") + 1).toLowerCase()));
    if (outside) return { field: "toRecipients", message: `This API key may only send to ${[...allowed].join(", ")}; ${outside} is outside.` };
  }
  if (key.maxMessageBytes !== null && m.sizeBytes > key.maxMessageBytes) {
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
    return { field: "attachments", message: `The message is ${mb(m.sizeBytes)}; this API key allows at most ${mb(key.maxMessageBytes)}.` };
  }
  return null;
}
