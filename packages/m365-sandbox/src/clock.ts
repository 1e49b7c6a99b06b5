/**
 * The sandbox clock: real time plus an offset that only moves forward on request
 * (POST {controlUrl}/clock {"advanceSeconds": n}), so tests can expire tokens, secrets, codes
 * and throttling windows without waiting. It can also run faster than real time
 * (POST {controlUrl}/clock {"speed": n}): benchmarks of Exchange's 30 messages a minute per mailbox take
 * seconds instead of minutes. Every Entra/Graph/Exchange time decision reads ctx.clock, so at speed n
 * tokens expire, throttling windows slide and Retry-After counts in sandbox seconds, n times faster
 * than a client's real clock.
 */
import type { Clock } from "./context";

export function createClock(): Clock {
  // now() = virtualAt + (real time since realAt) × speed; advancing moves virtualAt forward.
  let realAt = Date.now();
  let virtualAt = realAt;
  let rate = 1;
  return {
    now: () => virtualAt + (Date.now() - realAt) * rate,
    advance(ms: number) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError("the sandbox clock only moves forward");
      virtualAt += ms;
    },
    setSpeed(n: number) {
      if (!Number.isFinite(n) || n < 1) throw new RangeError("the sandbox clock speed is at least 1 (it never runs backwards or slower than real time)");
      const now = Date.now();
      virtualAt += (now - realAt) * rate;
      realAt = now;
      rate = n;
    },
    speed: () => rate,
    reset() {
      realAt = virtualAt = Date.now();
      rate = 1;
    },
  };
}

/** Seconds since epoch on the sandbox clock (JWT iat/nbf/exp). */
export function epochSeconds(clock: Clock): number {
  return Math.floor(clock.now() / 1000);
}
