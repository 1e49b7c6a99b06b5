import "server-only";
import { env } from "../env";
import { EXCHANGE_LIMITS } from "../schemas/common";

/** Outbox tuning. Defaults follow Microsoft's limits (shared/GRAPH-FACTS.md §4); tests shrink them. */
export interface PaceLimits {
  /** Exchange: 30 messages a minute per mailbox. */
  perMinute: number;
  /** Outlook service: 4 concurrent requests per app and mailbox. */
  concurrent: number;
  /** Exchange: 10,000 recipients a day per mailbox. */
  recipientsPerDay: number;
  /**
   * Sends in flight per tenant app registration, counted across every portal instance on the database
   * (claim.ts). Unset = no per-app limit (tests of other limits); outboxOptions() fills it from
   * PORTAL_OUTBOX_APP_CONCURRENCY, default 4.
   *
   * Why 4 per app and not per app and mailbox: Microsoft's "Outlook service limits" have said both. An
   * older version of learn.microsoft.com/graph/throttling-limits#outlook-service-limits reads "4
   * concurrent requests" per app ID and mailbox combination; the current one adds that the limit applies
   * to an app "regardless of whether the requests all access the same mailbox" (see the history of
   * github.com/microsoftdocs/microsoft-graph-docs-contrib, concepts/throttling-limits.md). The stricter
   * reading is the default; an admin whose tenant shows otherwise can raise it.
   */
  perApp?: number;
  /** The message-rate window (default 60 s); shorter only against a sandbox with a sped-up clock. */
  windowMs?: number;
}

export interface OutboxOptions {
  /** How long a claim holds a send; renewed while the worker is busy with it. */
  leaseMs: number;
  /** Client timeout for one Graph call; past it the outcome of a send call is unknown (`uncertain`). */
  timeoutMs: number;
  /** Tries failed by an outage (5xx) or the network before a send fails for good (throttling is not counted). */
  maxTransientTries: number;
  /** How long a send may stay throttled (429), from its first throttled try, before it fails for good. */
  maxThrottledMs: number;
  /** Sends one worker processes at once. */
  concurrency: number;
  /**
   * Safety-net poll when idle. New work wakes the worker at once (PostgreSQL NOTIFY from queue-send and
   * from finished sends, worker.ts), and a freed slot is refilled at once.
   */
  pollMs: number;
  pace: PaceLimits;
  /** Upload-range retries within one try (lib/graph/upload-session.ts defaults: 8 tries, waits up to 120 s). */
  upload?: { maxTries?: number; maxWaitMs?: number };
}

export const DEFAULT_OPTIONS: OutboxOptions = {
  leaseMs: 120_000,
  timeoutMs: 120_000,
  maxTransientTries: 6,
  maxThrottledMs: 24 * 3_600_000,
  concurrency: 16,
  pollMs: 1_000,
  pace: { perMinute: EXCHANGE_LIMITS.messagesPerMinute, concurrent: EXCHANGE_LIMITS.concurrentRequests, recipientsPerDay: EXCHANGE_LIMITS.recipientsPerDay, perApp: EXCHANGE_LIMITS.concurrentRequests, windowMs: 60_000 },
};

export function outboxOptions(over: Partial<OutboxOptions> = {}): OutboxOptions {
  const e = env();
  const fromEnv = { concurrency: e.PORTAL_OUTBOX_WORKER_CONCURRENCY, pace: { ...DEFAULT_OPTIONS.pace, perApp: e.PORTAL_OUTBOX_APP_CONCURRENCY, windowMs: e.PORTAL_OUTBOX_PACE_WINDOW_MS } };
  return { ...DEFAULT_OPTIONS, ...fromEnv, ...over, pace: { ...fromEnv.pace, ...over.pace } };
}

/** Exponential backoff when Microsoft gives no Retry-After: 2, 4, 8 … seconds, at most a minute. */
export function backoffMs(tries: number): number {
  return Math.min(60_000, 2_000 * 2 ** Math.max(0, tries - 1));
}
