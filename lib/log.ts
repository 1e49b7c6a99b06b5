import "server-only";
import pino, { type Logger } from "pino";

/**
 * Server logging: one JSON object per line on stdout (pino), for log shippers and `jq`. Every line has
 * `time`, `level`, `msg` and, where known, `requestId` (proxy.ts gives each request one; lib/request-id.ts),
 * `sendId`, `tenantId`, and for Graph calls Microsoft's `graphRequestId` and `clientRequestId`, so a
 * portal request can be followed to the Graph calls made for it (README, "Running in production").
 *
 * Callers never pass secrets; to be safe, messages and error texts go through `redact`, which strips
 * anything that looks like a bearer token or a client secret, and pino's own redaction censors fields
 * with secret names wherever they appear in a logged object.
 */
const PATTERNS: [RegExp, string][] = [
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]+/g, "$1[redacted]"],
  [/(client_secret|refresh_token|access_token|client_assertion|password)=([^&\s]+)/gi, "$1=[redacted]"],
  [/("(?:client_?secret|refresh_?token|access_?token|password|secret)"\s*:\s*)"[^"]*"/gi, '$1"[redacted]"'],
];

export function redact(text: string): string {
  return PATTERNS.reduce((s, [re, rep]) => s.replace(re, rep), text);
}

const SECRET_KEYS = ["password", "secret", "clientSecret", "client_secret", "accessToken", "refreshToken", "authorization", "apiKey", "privateKey"];

/** The portal's logger; `destination` (default stdout) lets a test read the lines it writes. */
export function createLogger(destination?: pino.DestinationStream, level = process.env.PORTAL_LOG_LEVEL ?? "info"): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: "graph-mail-portal", pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: [...SECRET_KEYS, ...SECRET_KEYS.map((k) => `*.${k}`)], censor: "[redacted]" },
  };
  return destination ? pino(options, destination) : pino(options);
}

// One logger per process, shared by the instrumentation bundle (outbox worker) and the route bundles.
const g = globalThis as unknown as { __gmpLogger?: Logger };
export function logger(): Logger {
  return (g.__gmpLogger ??= createLogger());
}

export type LogFields = Record<string, string | number | boolean | null | undefined>;

function errorFields(err: unknown): { type: string; message: string; stack?: string } {
  if (err instanceof Error) return { type: err.name, message: redact(err.message), stack: err.stack ? redact(err.stack) : undefined };
  return { type: typeof err, message: redact(String(err)) };
}

export function logError(message: string, err: unknown, fields: LogFields = {}): void {
  logger().error({ ...fields, error: errorFields(err) }, redact(message));
}

export function logWarn(message: string, fields: LogFields = {}): void {
  logger().warn(fields, redact(message));
}

export function logInfo(message: string, fields: LogFields = {}): void {
  logger().info(fields, redact(message));
}
