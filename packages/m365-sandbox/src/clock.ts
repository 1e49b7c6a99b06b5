/**
 * The sandbox clock: real time plus an offset that only moves forward on request
 * (POST {controlUrl}/clock {"advanceSeconds": n}), so tests can expire tokens, secrets, codes
 * and throttling windows without waiting. Every Entra/Graph/Exchange time decision reads ctx.clock.
 */
import type { Clock } from "./context";

export function createClock(): Clock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance(ms: number) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError("the sandbox clock only moves forward");
      offset += ms;
    },
    reset() {
      offset = 0;
    },
  };
}

/** Seconds since epoch on the sandbox clock (JWT iat/nbf/exp). */
export function epochSeconds(clock: Clock): number {
  return Math.floor(clock.now() / 1000);
}
