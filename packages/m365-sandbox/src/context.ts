/** What every sandbox handler gets: the store, the URLs, the signing key, the clock and the fault settings. */
import type { KeyObject } from "node:crypto";
import type { Store, TokenClaims } from "./model";

export interface SandboxUrls {
  /** https://localhost:<port> — Entra ID (authority = loginUrl + "/" + tenantId). */
  loginUrl: string;
  /** https://localhost:<port> — Microsoft Graph (requests go to graphUrl + "/v1.0/…"). */
  graphUrl: string;
  /** https://127.0.0.1:<port> — pre-authenticated upload URLs (a different host name on purpose). */
  uploadUrl: string;
  /** loginUrl + "/_sandbox" — the control API and the inbox view. */
  controlUrl: string;
}

export interface FaultConfig {
  /** 0..1: share of Graph requests answered with a fault instead of being served. */
  rate: number;
  statuses: number[]; // e.g. [429, 503]; 0 means "drop the connection"
  retryAfterSeconds: number;
  /** How Retry-After is written: delay-seconds (what Graph sends) or an HTTP-date (RFC 9110 §10.2.3 allows both). */
  retryAfterFormat?: "seconds" | "http-date";
  latencyMs: number;
  /** A further random delay, uniform between 0 and this many ms, added to latencyMs per request. */
  latencyJitterMs?: number;
  /**
   * Delay before a Graph answer is written, after the request was handled (a sendMail is delivered at
   * once): a client that gives up meanwhile timed out after the request left.
   */
  responseDelayMs?: number;
}

/**
 * A fault setting limited to one app (the token's appid), one mailbox (the /users/{id|upn} or /me the
 * request acts on), or both. A matching scoped setting replaces the sandbox-wide one for that request,
 * so parallel tests can throttle their own app or mailbox without touching anyone else's requests.
 */
export interface ScopedFault {
  clientId?: string;
  mailbox?: string;
  config: FaultConfig;
}

/**
 * The sandbox's clock. Real time plus an offset tests can move forward (POST {controlUrl}/clock),
 * so throttling windows and token expiry can be tested without waiting.
 */
export interface Clock {
  now(): number; // ms since epoch
  advance(ms: number): void;
  /** Runs the clock n times faster than real time from now on (1 = real time). */
  setSpeed(n: number): void;
  speed(): number;
  /** Back to real time at speed 1. */
  reset(): void;
}

export interface SandboxContext {
  store: Store;
  urls: SandboxUrls;
  dataDir: string;
  clock: Clock;
  faults: FaultConfig;
  /** Faults for one app and/or mailbox (POST /faults with clientId/mailbox); cleared by reset. */
  scopedFaults: ScopedFault[];
  /** Entra's token signing key (RS256) and its key id, published at …/discovery/v2.0/keys. */
  signing: { privateKey: KeyObject; kid: string; publicJwk: Record<string, unknown> };
  /**
   * Verifies a Graph bearer token (signature, aud "https://graph.microsoft.com" or the Graph app id,
   * iss, expiry against ctx.clock). Implemented by the Entra side (entra/tokens.ts).
   */
  verifyGraphToken(authorization: string | undefined): Promise<{ ok: true; claims: TokenClaims } | { ok: false; message: string }>;
}
