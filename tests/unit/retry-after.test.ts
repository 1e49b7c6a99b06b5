import { describe, expect, it } from "vitest";
import { retryAfterMs } from "@/lib/graph/retry-after";

describe("Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date", () => {
  const now = Date.parse("2026-12-03T10:00:00Z");
  it("reads seconds, an HTTP-date, and nothing else", () => {
    expect(retryAfterMs("2", now)).toBe(2000);
    expect(retryAfterMs(" 0 ", now)).toBe(0);
    expect(retryAfterMs("Thu, 03 Dec 2026 10:00:05 GMT", now)).toBe(5000);
    expect(retryAfterMs("Thu, 03 Dec 2026 09:59:00 GMT", now)).toBe(0);
    expect(retryAfterMs("soon", now)).toBeNull();
    expect(retryAfterMs("-3", now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
  });
});
