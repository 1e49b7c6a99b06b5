import "server-only";
import { RateLimiterRes } from "rate-limiter-flexible";
import { sha256Hex } from "../crypto";
import { LIMITS, limiter, type LimitName } from "./limits";

export interface Hit {
  limit: LimitName;
  /** The account address or client address; stored only as a SHA-256 hash (and so always fits the key column). */
  key: string;
}

export type HitResult =
  | { ok: true }
  /** `firstRefusal`: this attempt is the first one over a limit in its window (audit it once, not per attempt). */
  | { ok: false; retryAfterMs: number; firstRefusal: boolean };

const storedKey = (key: string) => sha256Hex(key.trim().toLowerCase());

/**
 * Counts one attempt against every limit before the attempt is made. Each count is one atomic upsert in
 * PostgreSQL, so concurrent attempts cannot all slip under a limit (a check followed by a later count
 * could). Store errors are thrown: the caller fails closed.
 */
export async function hit(hits: readonly Hit[]): Promise<HitResult> {
  const results = await Promise.allSettled(hits.map((h) => limiter(h.limit).consume(storedKey(h.key))));
  let retryAfterMs = 0;
  let refused = false;
  let firstRefusal = false;
  results.forEach((r, i) => {
    if (r.status === "fulfilled") return;
    if (!(r.reason instanceof RateLimiterRes)) throw r.reason;
    refused = true;
    retryAfterMs = Math.max(retryAfterMs, r.reason.msBeforeNext);
    if (r.reason.consumedPoints === LIMITS[hits[i]!.limit].points + 1) firstRefusal = true;
  });
  return refused ? { ok: false, retryAfterMs, firstRefusal } : { ok: true };
}

/** Gives back the points of an attempt that turned out legitimate (a successful sign-in). */
export async function refund(hits: readonly Hit[]): Promise<void> {
  await Promise.all(hits.map((h) => limiter(h.limit).reward(storedKey(h.key), 1)));
}

/** "Try again in 15 minutes." — whole minutes, rounded up, at least one. */
export function tryAgainIn(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  return `Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}

/** A refusal whose message is safe to show as is ("Too many sign-in attempts. Try again in 15 minutes."). */
export class TooManyAttempts extends Error {
  constructor(what: string, retryAfterMs: number) {
    super(`Too many ${what}. ${tryAgainIn(retryAfterMs)}`);
    this.name = "TooManyAttempts";
  }
}
