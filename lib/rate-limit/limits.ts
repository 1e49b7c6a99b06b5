import "server-only";
import { RateLimiterPostgres } from "rate-limiter-flexible";
import { RATE_LIMIT_SCHEMA, RATE_LIMIT_TABLE, rateLimitPool, storeClient, type StoreClient } from "./store";

const FIFTEEN_MINUTES = 15 * 60;

/**
 * One definition per use: how many attempts a key may make in a window (seconds). Sign-in follows OWASP's
 * advice to limit per account and per source (https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html#protect-against-automated-attacks):
 * an account limit stops guessing one password from many addresses, an address limit stops trying one
 * password on many accounts. Successful sign-ins give their point back, so only failures count.
 */
export const LIMITS = {
  /** Local sign-in attempts for one account (the typed address, whether or not it exists). */
  signInAccount: { points: 10, duration: FIFTEEN_MINUTES },
  /** Local sign-in attempts from one client address, whatever the account. */
  signInIp: { points: 50, duration: FIFTEEN_MINUTES },
  /** First-run claims (setup code guesses) from one client address. */
  claimIp: { points: 10, duration: FIFTEEN_MINUTES },
  /** Admin consent callbacks (each consumes or probes a consent state) from one client address. */
  consentCallbackIp: { points: 20, duration: FIFTEEN_MINUTES },
  /** REST API (/api/v1) requests from one client address, whatever the key (a wrong key counts too). */
  apiIp: { points: 600, duration: 60 },
  /**
   * SMTP AUTH attempts (the relay, lib/smtp) for one username, and from one client address: only failures
   * count (a success gives its point back); over either, the relay answers 454 4.7.0 until the window ends.
   */
  smtpAuthUser: { points: 10, duration: FIFTEEN_MINUTES },
  smtpAuthIp: { points: 30, duration: FIFTEEN_MINUTES },
} as const satisfies Record<string, { points: number; duration: number }>;

export type LimitName = keyof typeof LIMITS;

/** A limiter on the given store; the portal's own come from limiter(). */
export function createLimiter(name: LimitName, client: StoreClient): RateLimiterPostgres {
  return new RateLimiterPostgres({
    storeClient: client,
    storeType: "pool",
    schemaName: RATE_LIMIT_SCHEMA,
    tableName: RATE_LIMIT_TABLE,
    // The table comes from a migration: no DDL at run time.
    tableCreated: true,
    keyPrefix: name,
    ...LIMITS[name],
  });
}

const g = globalThis as unknown as { __gmpLimiters?: Map<LimitName, RateLimiterPostgres> };

export function limiter(name: LimitName): RateLimiterPostgres {
  g.__gmpLimiters ??= new Map();
  let l = g.__gmpLimiters.get(name);
  if (!l) {
    l = createLimiter(name, storeClient(rateLimitPool));
    g.__gmpLimiters.set(name, l);
  }
  return l;
}
