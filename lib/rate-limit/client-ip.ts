import "server-only";
import { isIP } from "node:net";

/**
 * The client address a per-IP limit counts against, from X-Forwarded-For.
 *
 * Next.js's server fills X-Forwarded-For with the connection's address when a request has none, and keeps
 * one that is present (next/dist/server/base-server.js). Each reverse proxy in front appends the address it
 * saw, so the trustworthy entry is counted from the right, never the first one (the client writes that):
 * - `PORTAL_TRUST_PROXY` unset or 0 (reached directly): the last entry, the connection's address. A client
 *   that sends its own header picks its per-IP key this way; the per-account limit still holds.
 * - `PORTAL_TRUST_PROXY=N` (N proxies that append): the N-th entry from the right, the address the
 *   outermost proxy saw.
 * IPv6 addresses count per /64 (one customer's usual allocation), so rotating within it gains nothing.
 */
export function clientIp(header: (name: string) => string | null | undefined): string {
  const entries = (header("x-forwarded-for") ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  const hops = Math.max(1, trustedProxies());
  const entry = entries.length >= hops ? entries[entries.length - hops] : undefined;
  return entry ? normalise(entry) : "unknown";
}

function trustedProxies(): number {
  const n = Number(process.env.PORTAL_TRUST_PROXY ?? 0);
  return Number.isInteger(n) && n >= 0 && n <= 20 ? n : 0;
}

/** Strips a port ("1.2.3.4:5678", "[::1]:80") and reduces IPv6 to its /64; anything else is kept as sent. */
function normalise(entry: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(entry);
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(entry);
  const ip = bracketed?.[1] ?? v4WithPort?.[1] ?? entry;
  const kind = isIP(ip);
  if (kind === 6) return ipv6Prefix(ip);
  return kind === 4 ? ip : entry.slice(0, 100);
}

function ipv6Prefix(ip: string): string {
  const lower = ip.toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower);
  if (mapped) return mapped[1]!;
  const [head = "", tail] = lower.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(":")}::/64`;
}
