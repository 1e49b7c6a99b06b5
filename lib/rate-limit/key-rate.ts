import "server-only";
import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { RATE_LIMIT_SCHEMA, RATE_LIMIT_TABLE, rateLimitPool, storeClient } from "./store";

/**
 * The per-minute limit an admin sets on each API key (ApiKey.ratePerMinute), on the same shared
 * PostgreSQL counters as the other limits, so every portal instance counts the key's requests together.
 * One limiter per distinct rate: the counter row (keyed by the key id) is the same whatever the rate,
 * so lowering a key's rate takes effect at its next request.
 */
const g = globalThis as unknown as { __gmpKeyLimiters?: Map<string, RateLimiterPostgres> };

function keyLimiter(points: number, keyPrefix = "apiKey"): RateLimiterPostgres {
  g.__gmpKeyLimiters ??= new Map();
  let l = g.__gmpKeyLimiters.get(`${keyPrefix}:${points}`);
  if (!l) {
    l = new RateLimiterPostgres({
      storeClient: storeClient(rateLimitPool),
      storeType: "pool",
      schemaName: RATE_LIMIT_SCHEMA,
      tableName: RATE_LIMIT_TABLE,
      tableCreated: true,
      keyPrefix,
      points,
      duration: 60,
    });
    g.__gmpKeyLimiters.set(`${keyPrefix}:${points}`, l);
  }
  return l;
}

/** Counts one request of an API key; `retryAfterMs` when it is over the key's rate. Store errors are thrown (fail closed). */
export async function hitKeyRate(apiKeyId: string, ratePerMinute: number): Promise<{ ok: true } | { ok: false; retryAfterMs: number }> {
  try {
    await keyLimiter(ratePerMinute).consume(apiKeyId);
    return { ok: true };
  } catch (err) {
    if (err instanceof RateLimiterRes) return { ok: false, retryAfterMs: err.msBeforeNext };
    throw err;
  }
}

/**
 * Counts one message of an SMTP device against its per-minute rate (Device.ratePerMinute, the relay in
 * lib/smtp), on the same shared counters. Store errors are thrown (the relay answers 451: fail closed).
 */
export async function hitDeviceRate(deviceId: string, ratePerMinute: number): Promise<{ ok: true } | { ok: false; retryAfterMs: number }> {
  try {
    await keyLimiter(ratePerMinute, "device").consume(deviceId);
    return { ok: true };
  } catch (err) {
    if (err instanceof RateLimiterRes) return { ok: false, retryAfterMs: err.msBeforeNext };
    throw err;
  }
}
