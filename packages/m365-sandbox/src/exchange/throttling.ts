/**
 * Per-mailbox limits, on the sandbox clock (ctx.clock) so tests can move time forward:
 * - 4 concurrent requests per app + mailbox (graph/throttling-limits, "Outlook service limits");
 *   over it Graph answers 429 ApplicationThrottled "Application is over its MailboxConcurrency limit."
 * - 30 messages per minute per mailbox (exchange-online-limits, "Message rate limit"). Exchange
 *   documents that excess submissions are queued and carried into later minutes; the sandbox instead
 *   answers 429 ApplicationThrottled with a Retry-After computed from the sliding 60-second window,
 *   so clients can exercise their back-off (a deliberate, documented deviation).
 * - 10,000 recipients per mailbox per rolling 24 hours ("Recipient rate limit"). Exchange accepts the
 *   submission and bounces it with NDR 5.1.90; exchange/delivery.ts does the same.
 */
import type { Guid, Store } from "../model";
import { mailState } from "./mail-state";

export const MAILBOX_CONCURRENCY = 4;
export const MESSAGES_PER_MINUTE = 30;
export const RECIPIENTS_PER_DAY = 10_000;
const MINUTE = 60_000;
const DAY = 86_400_000;

/** Observed Retry-After on MailboxConcurrency 429s is small (1–2 s); the sandbox says 1. */
export const CONCURRENCY_RETRY_AFTER_SECONDS = 1;

/** Takes a slot, or returns null when the app already has 4 requests in flight on the mailbox. */
export function acquireSlot(store: Store, appId: Guid, mailboxId: Guid): (() => void) | null {
  const st = mailState(store);
  const key = `${appId.toLowerCase()}|${mailboxId}`;
  const n = st.concurrency.get(key) ?? 0;
  if (n >= MAILBOX_CONCURRENCY) return null;
  st.concurrency.set(key, n + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const cur = mailState(store).concurrency;
    const left = (cur.get(key) ?? 0) - 1;
    if (left > 0) cur.set(key, left);
    else cur.delete(key);
  };
}

export type RateCheck = { ok: true } | { ok: false; retryAfterSeconds: number };

/** 30 messages in any 60 seconds: the next one may go when the oldest leaves the window. */
export function checkMessageRate(store: Store, mailboxId: Guid, now: number): RateCheck {
  const st = mailState(store);
  const recent = (st.submissions.get(mailboxId) ?? []).filter((t) => t > now - MINUTE);
  st.submissions.set(mailboxId, recent);
  if (recent.length < MESSAGES_PER_MINUTE) return { ok: true };
  const oldest = recent[recent.length - MESSAGES_PER_MINUTE]!;
  return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + MINUTE - now) / 1000)) };
}

export function recordMessage(store: Store, mailboxId: Guid, now: number): void {
  const st = mailState(store);
  st.submissions.set(mailboxId, [...(st.submissions.get(mailboxId) ?? []), now]);
}

/** Recipients the mailbox sent to during the last 24 hours. */
export function recipientsInLastDay(store: Store, mailboxId: Guid, now: number): number {
  const st = mailState(store);
  const recent = (st.recipients.get(mailboxId) ?? []).filter((e) => e.at > now - DAY);
  st.recipients.set(mailboxId, recent);
  return recent.reduce((s, e) => s + e.n, 0);
}

/** Would n more recipients exceed the daily recipient rate limit? */
export function wouldExceedRecipientLimit(store: Store, mailboxId: Guid, now: number, n: number): boolean {
  return recipientsInLastDay(store, mailboxId, now) + n > RECIPIENTS_PER_DAY;
}

export function recordRecipients(store: Store, mailboxId: Guid, now: number, n: number): void {
  const st = mailState(store);
  st.recipients.set(mailboxId, [...(st.recipients.get(mailboxId) ?? []), { at: now, n }]);
}
