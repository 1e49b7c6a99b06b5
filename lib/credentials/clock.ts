import "server-only";
import { z } from "zod";
import { env } from "../env";
import { logError } from "../log";

/**
 * "Now" for credential expiry: days left, warning thresholds and the warnings job all read the time here.
 *
 * Production leaves PORTAL_CLOCK_URL unset and this is the server's clock. A demo or test sets it to a
 * clock the test can move — the sandbox's `GET {controlUrl}/clock` — and the portal follows that clock's
 * offset from real time, so advancing the sandbox clock 170 days shows the 14-day warning on the
 * dashboard while the sandbox refuses the expired secret on the same timeline. Configuration, never a
 * sandbox check. The offset is read at most every 2 seconds; when the clock URL does not answer, the last
 * known offset is kept (0 at first), and the failure is logged.
 */
const answer = z.object({ now: z.iso.datetime({ offset: true }) });
const REFRESH_MS = 2_000;
const g = globalThis as unknown as { __gmpClock?: { offsetMs: number; readAt: number; url: string } };

export async function portalNow(): Promise<Date> {
  const url = env().PORTAL_CLOCK_URL;
  if (!url) return new Date();
  const cached = g.__gmpClock;
  if (cached && cached.url === url && Date.now() - cached.readAt < REFRESH_MS) return new Date(Date.now() + cached.offsetMs);
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000), cache: "no-store" });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const { now } = answer.parse(await res.json());
    g.__gmpClock = { url, offsetMs: Date.parse(now) - Date.now(), readAt: Date.now() };
  } catch (err) {
    logError(`PORTAL_CLOCK_URL did not answer; keeping the last known time offset`, err);
    g.__gmpClock = { url, offsetMs: cached?.url === url ? cached.offsetMs : 0, readAt: Date.now() };
  }
  return new Date(Date.now() + g.__gmpClock.offsetMs);
}
