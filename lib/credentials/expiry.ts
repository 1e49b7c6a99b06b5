/**
 * Credential expiry arithmetic, pure. Microsoft's client secrets last at most 24 months (the portal
 * proposes 6), certificates as long as they were issued for; the day one expires, token requests fail
 * with AADSTS7000222 (secret) or AADSTS700027 (certificate) — learn.microsoft.com
 * /entra/identity-platform/reference-error-codes, and the table of AADSTS7000215 (invalid secret),
 * AADSTS7000222 (expired secret), AADSTS700027 (certificate not on the app registration) in
 * learn.microsoft.com/azure/developer/java/sdk/troubleshooting-authentication-service-principal.
 */
export const WARNING_THRESHOLDS = [30, 14, 7, 1] as const;
export type ExpiryState = "expired" | "critical" | "warning" | "ok" | "no-expiry";

const DAY = 86_400_000;

/**
 * Whole days left, rounded down: 0 on the last day; once expired, -1 on the day it expired, -2 a day
 * later, and so on; null without an expiry.
 */
export function daysLeft(expires: Date | null | undefined, now: Date): number | null {
  if (!expires) return null;
  const ms = expires.getTime() - now.getTime();
  return ms > 0 ? Math.floor(ms / DAY) : -Math.floor(-ms / DAY) - 1;
}

export function expiryState(expires: Date | null | undefined, now: Date): ExpiryState {
  if (!expires) return "no-expiry";
  if (expires.getTime() <= now.getTime()) return "expired";
  const d = daysLeft(expires, now)!;
  if (d < 7) return "critical";
  if (d < 30) return "warning";
  return "ok";
}

/**
 * The smallest threshold the credential has reached (30, 14, 7, 1), or null while more than 30 days are
 * left — reached when the days left, as shown (daysLeft), are at most the threshold: "1 day left" is the
 * 1-day warning. An expired credential counts as the 1-day threshold (its last warning), mailed once too.
 */
export function reachedThreshold(expires: Date | null | undefined, now: Date): number | null {
  const d = daysLeft(expires, now);
  if (d === null) return null;
  let reached: number | null = null;
  for (const t of WARNING_THRESHOLDS) if (d <= t) reached = t;
  return reached;
}

export function describeDays(d: number | null): string {
  if (d === null) return "never expires";
  if (d < 0) return d === -1 ? "expired today" : `expired ${-d - 1} day${d === -2 ? "" : "s"} ago`;
  if (d === 0) return "expires today";
  return `${d} day${d === 1 ? "" : "s"} left`;
}
