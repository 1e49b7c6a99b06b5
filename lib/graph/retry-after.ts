/**
 * Retry-After is delay-seconds or an HTTP-date (RFC 9110 §10.2.3, www.rfc-editor.org/rfc/rfc9110#section-10.2.3);
 * Graph sends seconds (learn.microsoft.com/graph/throttling), other hops may send a date. Milliseconds to wait, or null.
 */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | null {
  const v = value?.trim();
  if (!v) return null;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.max(0, Math.round(Number(v) * 1000));
  if (!/^[A-Za-z]{3}, /.test(v)) return null; // an IMF-fixdate starts with the day name ("Thu, 03 Dec 2026 …")
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}
