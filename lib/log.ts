import "server-only";

/**
 * Server logging. Messages and error stacks only: callers never pass secrets, and `redact` strips
 * anything that looks like a bearer token or a client secret from error messages, to be safe.
 */
const PATTERNS: [RegExp, string][] = [
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]+/g, "$1[redacted]"],
  [/(client_secret|refresh_token|access_token|client_assertion|password)=([^&\s]+)/gi, "$1=[redacted]"],
  [/("(?:client_?secret|refresh_?token|access_?token|password|secret)"\s*:\s*)"[^"]*"/gi, '$1"[redacted]"'],
];

export function redact(text: string): string {
  return PATTERNS.reduce((s, [re, rep]) => s.replace(re, rep), text);
}

export function logError(message: string, err: unknown): void {
  const detail = err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ""}` : String(err);
  console.error(`[portal] ${message}: ${redact(detail)}`);
}

export function logInfo(message: string): void {
  console.log(`[portal] ${redact(message)}`);
}
