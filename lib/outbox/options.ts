import "server-only";
import { EXCHANGE_LIMITS } from "../schemas/common";

/** Outbox tuning. Defaults follow Microsoft's limits (shared/GRAPH-FACTS.md §4); tests shrink them. */
export interface PaceLimits {
  /** Exchange: 30 messages a minute per mailbox. */
  perMinute: number;
  /** Outlook service: 4 concurrent requests per app and mailbox. */
  concurrent: number;
  /** Exchange: 10,000 recipients a day per mailbox. */
  recipientsPerDay: number;
}

export interface OutboxOptions {
  /** How long a claim holds a send; renewed while the worker is busy with it. */
  leaseMs: number;
  /** Client timeout for one Graph call; past it the outcome of a send call is unknown (`uncertain`). */
  timeoutMs: number;
  /** Throttled or unavailable tries before a send fails for good. */
  maxTransientTries: number;
  /** Sends one worker processes at once. */
  concurrency: number;
  pollMs: number;
  pace: PaceLimits;
  /** Upload-range retries within one try (lib/graph/upload-session.ts defaults: 8 tries, waits up to 120 s). */
  upload?: { maxTries?: number; maxWaitMs?: number };
}

export const DEFAULT_OPTIONS: OutboxOptions = {
  leaseMs: 120_000,
  timeoutMs: 120_000,
  maxTransientTries: 6,
  concurrency: 8,
  pollMs: 1_000,
  pace: { perMinute: EXCHANGE_LIMITS.messagesPerMinute, concurrent: EXCHANGE_LIMITS.concurrentRequests, recipientsPerDay: EXCHANGE_LIMITS.recipientsPerDay },
};

export function outboxOptions(over: Partial<OutboxOptions> = {}): OutboxOptions {
  return { ...DEFAULT_OPTIONS, ...over, pace: { ...DEFAULT_OPTIONS.pace, ...over.pace } };
}

/** Exponential backoff when Microsoft gives no Retry-After: 2, 4, 8 … seconds, at most a minute. */
export function backoffMs(tries: number): number {
  return Math.min(60_000, 2_000 * 2 ** Math.max(0, tries - 1));
}
