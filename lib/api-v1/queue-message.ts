import "server-only";
import type { ApiKeyCaller } from "../api-keys/authenticate-key";
import { AppError } from "../errors";
import type { MessageRequest } from "../schemas/api-v1";
import { queueSend } from "../sends/queue-send";
import { removeUpload, saveUpload, uploadOwnerOfKey } from "../sends/upload-store";

/**
 * A REST API message (Graph's shape) → the one queueing path (lib/sends/queue-send.ts) as the key.
 * Inline attachments (`contentBytes`) are stored like uploads first, because the outbox worker reads
 * every attachment from the upload store; if the message is refused they are removed again.
 */
const addresses = (list: MessageRequest["toRecipients"]) =>
  (list ?? []).map((r) => (r.emailAddress.name ? `"${r.emailAddress.name.replace(/["<>]/g, "")}" <${r.emailAddress.address}>` : r.emailAddress.address));

export async function queueMessage(key: ApiKeyCaller, m: MessageRequest, idempotencyClaimId?: string): Promise<{ id: string }> {
  const owner = uploadOwnerOfKey(key.id);
  const saved: string[] = [];
  try {
    for (const [i, a] of (m.attachments ?? []).entries()) {
      const bytes = Buffer.from(a.contentBytes, "base64");
      if (bytes.byteLength === 0) throw new AppError("VALIDATION_FAILED", { userMessage: "An attachment is empty.", status: 422, fields: { [`attachments.${i}.contentBytes`]: "The attachment is empty" } });
      const meta = await saveUpload({ ownerId: owner, name: a.name, contentType: a.contentType ?? null, body: (async function* () {
        yield new Uint8Array(bytes);
      })(), declaredBytes: bytes.byteLength });
      saved.push(meta.id);
    }
    const attachments = [...(m.attachmentIds ?? []), ...saved].map((id) => ({ id }));
    return await queueSend(
      {
        apiKey: key,
        from: m.from.emailAddress.address,
        to: addresses(m.toRecipients),
        cc: addresses(m.ccRecipients),
        bcc: addresses(m.bccRecipients),
        replyTo: addresses(m.replyTo),
        subject: m.subject,
        bodyType: m.body?.contentType.toLowerCase() === "text" ? "text" : "html",
        body: m.body?.content ?? "",
        importance: m.importance,
        saveToSent: m.saveToSentItems,
        headers: m.internetMessageHeaders ?? [],
        attachments,
      },
      { origin: "api-v1", idempotencyClaimId },
    );
  } catch (err) {
    for (const id of saved) await removeUpload(id);
    throw err;
  }
}
