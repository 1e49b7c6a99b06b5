/**
 * Exchange-side state that model.ts's Store does not hold: drafts, upload sessions, throttling
 * counters and which delivered copies are Sent Items. Kept per Store object (WeakMap), so a new
 * store starts clean; seedDemoTenant / reset call resetMailState() when a store is reused.
 */
import { rmSync } from "node:fs";
import type { DeliveredMessage, Guid, Store } from "../model";

export interface Address {
  address: string;
  name?: string;
}

/** A message as Graph accepts it (graph/api/resources/message), normalized. */
export interface MessageContent {
  subject: string;
  body: { contentType: "text" | "html"; content: string };
  to: Address[];
  cc: Address[];
  bcc: Address[];
  replyTo: Address[];
  importance: "low" | "normal" | "high";
  internetMessageHeaders: { name: string; value: string }[];
  from?: Address;
  /** Sent in MIME format: the RFC 5322 message as received, in the blob store; delivered as it came. */
  mime?: { sha256: string; size: number };
}

/** An attachment whose bytes live in the content-addressed blob store (exchange/blobs.ts). */
export interface StoredAttachment {
  id: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  isInline: boolean;
  contentId?: string;
  lastModifiedDateTime: string;
}

export interface Draft {
  id: string;
  tenantId: Guid;
  mailboxUserId: Guid;
  createdDateTime: string;
  lastModifiedDateTime: string;
  internetMessageId: string;
  conversationId: string;
  content: MessageContent;
  attachments: StoredAttachment[];
}

export interface UploadSession {
  token: string;
  tenantId: Guid;
  mailboxUserId: Guid;
  draftId: string;
  appId: Guid;
  name: string;
  contentType: string;
  size: number;
  isInline: boolean;
  contentId?: string;
  received: number;
  file: string;
  /** Outlook's AttachmentSessions('…') id, shown in the upload URL. */
  sessionId: string;
  expiresAt: number;
  /** A PUT is being written; chunks must arrive one after the other. */
  busy: boolean;
}

export interface MailState {
  drafts: Map<string, Draft>;
  uploads: Map<string, UploadSession>;
  /** "appId|mailboxUserId" → requests in flight. */
  concurrency: Map<string, number>;
  /** mailboxUserId → submission times (ms, sandbox clock) within the last minute. */
  submissions: Map<string, number[]>;
  /** mailboxUserId → recipients counted per submission within the last 24 hours. */
  recipients: Map<string, { at: number; n: number }[]>;
  /** Delivered copies that sit in the sender's Sent Items (not an inbox). */
  sentItems: WeakSet<DeliveredMessage>;
  /** Message trace rows, one per message and recipient (exchange/message-trace.ts). */
  traces: TraceRecord[];
  /** Message trace settings from the control API (POST /_sandbox/message-trace). */
  traceSettings: TraceSettings;
  /** tenantId → message trace request times (ms, sandbox clock) within the throttling window. */
  traceRequests: Map<string, number[]>;
}

export type TraceStatus = "gettingStatus" | "pending" | "failed" | "delivered" | "expanded" | "quarantined" | "filteredAsSpam";

export interface TraceEvent {
  dateTime: string;
  event: string;
  action: string;
  description: string;
  data: string;
}

/** One exchangeMessageTrace row (graph/api/resources/exchangemessagetrace) plus its detail events. */
export interface TraceRecord {
  /** The message trace id: one per message, shared by its recipients (as Get-MessageTraceV2's MessageTraceId). */
  id: string;
  tenantId: Guid;
  messageId: string;
  senderAddress: string;
  recipientAddress: string;
  subject: string;
  size: number;
  status: TraceStatus;
  receivedDateTime: string;
  fromIP: string;
  toIP: string;
  events: TraceEvent[];
}

export interface TraceSettings {
  /** Lower-case recipient addresses whose mail is quarantined / filtered as spam instead of delivered. */
  quarantine: Set<string>;
  filteredAsSpam: Set<string>;
  /** Requests per window per tenant: Microsoft documents 100 per 5 minutes (list-messagetraces). */
  throttleLimit: number;
  throttleWindowSeconds: number;
  /** A new trace row reads "pending" for this many seconds of sandbox time before its final status. */
  pendingSeconds: number;
}

export const DEFAULT_TRACE_SETTINGS = (): TraceSettings => ({ quarantine: new Set(), filteredAsSpam: new Set(), throttleLimit: 100, throttleWindowSeconds: 300, pendingSeconds: 0 });

const states = new WeakMap<Store, MailState>();

function fresh(): MailState {
  return {
    drafts: new Map(), uploads: new Map(), concurrency: new Map(), submissions: new Map(), recipients: new Map(), sentItems: new WeakSet(),
    traces: [], traceSettings: DEFAULT_TRACE_SETTINGS(), traceRequests: new Map(),
  };
}

export function mailState(store: Store): MailState {
  let s = states.get(store);
  if (!s) {
    s = fresh();
    states.set(store, s);
  }
  return s;
}

/** Back to nothing: drafts, upload sessions (their partial files too) and counters. */
export function resetMailState(store: Store): void {
  const old = states.get(store);
  if (old) {
    for (const u of old.uploads.values()) rmSync(u.file, { force: true });
  }
  states.set(store, fresh());
}

export function isSentItem(store: Store, m: DeliveredMessage): boolean {
  return mailState(store).sentItems.has(m);
}
