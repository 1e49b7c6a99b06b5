/**
 * Delivery: one DeliveredMessage copy per recipient mailbox, like Exchange's transport.
 * - To/Cc/Bcc addresses resolve through exchange/recipients.ts; groups expand to their members
 *   (nested); each mailbox gets one copy even when named twice.
 * - Bcc is visible only on the copy delivered to that Bcc recipient (and in the sender's Sent Items).
 * - External addresses are accepted and kept under their own address, so tests can see them.
 * - An unknown address in one of the tenant's own domains bounces: Graph still said 202, and the
 *   sender gets an NDR (550 5.1.10), as Exchange does (graph/outlook-things-to-know-about-send-mail).
 * - Over the 10,000 recipients/day limit the whole message bounces with NDR 550 5.1.90.
 * - saveToSentItems → a copy in the sender's Sent Items (flagged in mail-state, not an inbox copy).
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { SandboxContext } from "../context";
import type { DeliveredAttachment, DeliveredMessage, Guid, Mailbox, User } from "../model";
import { readBlobBase64 } from "./blobs";
import { mailState, type Address, type MessageContent, type StoredAttachment } from "./mail-state";
import { expandGroup, norm, resolveRecipient } from "./recipients";
import { recordTraces, traceVerdict, type TraceOutcome } from "./message-trace";
import { recordRecipients, wouldExceedRecipientLimit } from "./throttling";

/** Attachments up to this size also keep their bytes in DeliveredMessage.contentBytes. */
export const INLINE_COPY_LIMIT = 3 * 1024 * 1024;

export interface DeliveryInput {
  tenantId: Guid;
  sender: { user: User; mailbox: Mailbox };
  content: MessageContent;
  attachments: StoredAttachment[];
  via: DeliveredMessage["via"];
  saveToSentItems: boolean;
}

export interface DeliveryResult {
  internetMessageId: string;
  copies: DeliveredMessage[];
  bounced: { address: string; reason: string }[];
}

const MAILER_DAEMON = (domain: string): Address => ({ address: `MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@${domain}`, name: "Microsoft Outlook" });

export function deliverMessage(ctx: SandboxContext, input: DeliveryInput): DeliveryResult {
  const { store } = ctx;
  const now = ctx.clock.now();
  const received = new Date(now).toISOString();
  const tenant = store.tenants.get(input.tenantId);
  const domains = (tenant?.domains ?? []).map(norm);
  const senderAddr: Address = { address: input.sender.mailbox.primarySmtpAddress, name: input.sender.user.displayName };
  const from = input.content.from ?? senderAddr;
  const internetMessageId = `<${randomBytes(12).toString("hex").toUpperCase()}@${input.sender.mailbox.primarySmtpAddress.split("@")[1] ?? "sandbox"}>`;
  const attachments: DeliveredAttachment[] = input.attachments.map((a) => ({
    name: a.name,
    contentType: a.contentType,
    size: a.size,
    sha256: a.sha256,
    isInline: a.isInline,
    ...(a.contentId ? { contentId: a.contentId } : {}),
    contentBytes: a.size <= INLINE_COPY_LIMIT ? readBlobBase64(ctx.dataDir, a.sha256) : "",
  }));

  const copy = (mailbox: string, bcc: Address[], override: Partial<DeliveredMessage> = {}): DeliveredMessage => ({
    id: randomUUID(),
    tenantId: input.tenantId,
    mailbox,
    internetMessageId,
    receivedDateTime: received,
    from,
    sender: senderAddr,
    to: input.content.to,
    cc: input.content.cc,
    bcc,
    replyTo: input.content.replyTo,
    subject: input.content.subject,
    body: input.content.body,
    importance: input.content.importance,
    internetMessageHeaders: input.content.internetMessageHeaders,
    attachments,
    ...(input.content.mime ? { mime: input.content.mime } : {}),
    via: input.via,
    ...override,
  });

  const out: DeliveredMessage[] = [];
  const bounced: { address: string; reason: string }[] = [];
  const all = [...input.content.to, ...input.content.cc, ...input.content.bcc];
  // What message trace reports per recipient (exchange/message-trace.ts).
  const outcomes: TraceOutcome[] = [];

  if (wouldExceedRecipientLimit(store, input.sender.mailbox.userId, now, all.length)) {
    for (const a of all) {
      const reason = "550 5.1.90 Your message can't be sent because you've reached your daily limit for message recipients.";
      bounced.push({ address: a.address, reason });
      outcomes.push({ address: a.address, status: "failed", reason });
    }
  } else {
    recordRecipients(store, input.sender.mailbox.userId, now, all.length);
    const delivered = new Map<string, DeliveredMessage>();
    const target = (address: string, bccEntry: Address | undefined) => {
      const key = norm(address);
      const existing = delivered.get(key);
      if (existing) {
        if (bccEntry && !existing.bcc.some((b) => norm(b.address) === norm(bccEntry.address))) existing.bcc = [...existing.bcc, bccEntry];
        return;
      }
      delivered.set(key, copy(address, bccEntry ? [bccEntry] : []));
    };
    // A recipient the trace settings quarantine or filter as spam gets no inbox copy (the control API's fault).
    const deliverTo = (address: string, bccEntry: Address | undefined) => {
      const held = traceVerdict(ctx, address);
      outcomes.push({ address, status: held ?? "delivered" });
      if (!held) target(address, bccEntry);
    };
    const route = (a: Address, isBcc: boolean) => {
      const r = resolveRecipient(store, input.tenantId, a.address);
      const bccEntry = isBcc ? a : undefined;
      if (!r) {
        const domain = norm(a.address.split("@")[1] ?? "");
        if (domains.includes(domain)) {
          const reason = "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup";
          bounced.push({ address: a.address, reason });
          outcomes.push({ address: a.address, status: "failed", reason });
        } else deliverTo(a.address, bccEntry);
        return;
      }
      if (r.type === "group") {
        outcomes.push({ address: a.address, status: "expanded" });
        for (const m of expandGroup(store, r.id)) {
          const addr = m.type === "mailbox" ? m.mailbox.primarySmtpAddress : m.type === "user" ? m.user.mail : undefined;
          if (addr) deliverTo(addr, bccEntry);
        }
      } else if (r.type === "mailbox") deliverTo(r.mailbox.primarySmtpAddress, bccEntry);
      else if (r.user.mail) deliverTo(r.user.mail, bccEntry);
    };
    for (const a of input.content.to) route(a, false);
    for (const a of input.content.cc) route(a, false);
    for (const a of input.content.bcc) route(a, true);
    out.push(...delivered.values());
  }

  if (input.saveToSentItems) {
    const sent = copy(input.sender.mailbox.primarySmtpAddress, input.content.bcc);
    mailState(store).sentItems.add(sent);
    out.push(sent);
  }
  if (bounced.length > 0) {
    const daemon = MAILER_DAEMON(domains[0] ?? "sandbox");
    const lines = bounced.map((b) => `${b.address}\n  Remote server returned '${b.reason}'`).join("\n\n");
    const ndr = copy(input.sender.mailbox.primarySmtpAddress, [], {
      from: daemon,
      sender: daemon,
      to: [senderAddr],
      cc: [],
      replyTo: [],
      subject: `Undeliverable: ${input.content.subject}`,
      body: { contentType: "text", content: `Your message couldn't be delivered to these recipients:\n\n${lines}\n\nOriginal message ID: ${internetMessageId}` },
      importance: "normal",
      internetMessageHeaders: [],
      attachments: [],
    });
    delete ndr.mime; // the report is Exchange's own message, not the MIME that was sent
    out.push(ndr);
  }
  store.delivered.push(...out);
  recordTraces(ctx, {
    tenantId: input.tenantId, messageId: internetMessageId, senderAddress: input.sender.mailbox.primarySmtpAddress, subject: input.content.subject,
    size: Buffer.byteLength(input.content.body.content) + attachments.reduce((n, a) => n + a.size, 0), receivedAt: now, outcomes,
  });
  return { internetMessageId, copies: out, bounced };
}
