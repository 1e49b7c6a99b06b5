import ipaddr from "ipaddr.js";

/**
 * Allowed source addresses of a device, as CIDR ranges or single addresses (IPv4 or IPv6), parsed with
 * ipaddr.js. IPv4-mapped IPv6 addresses (`::ffff:10.0.0.5`, as Node reports IPv4 clients of a dual-stack
 * socket) are compared as IPv4. Browser-safe (no server-only): the device form validates with it too.
 */
export type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

function normalise(addr: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr;
}

/** One entry: "10.0.0.0/24", "192.168.1.20", "2001:db8::/32". Null when it is not an address or range. */
export function parseRange(text: string): Range | null {
  const t = text.trim();
  try {
    if (t.includes("/")) {
      const [addr, bits] = ipaddr.parseCIDR(t);
      return [normalise(addr), addr.kind() === "ipv6" && normalise(addr).kind() === "ipv4" ? bits - 96 : bits];
    }
    if (!ipaddr.isValid(t)) return null;
    const a = normalise(ipaddr.parse(t));
    return [a, a.kind() === "ipv4" ? 32 : 128];
  } catch {
    return null;
  }
}

/** A comma/space/newline separated list → the canonical entries, or the entries that are not valid. */
export function parseRangeList(text: string): { ranges: string[]; invalid: string[] } {
  const entries = text.split(/[\s,;]+/).filter(Boolean);
  const ranges: string[] = [];
  const invalid: string[] = [];
  for (const e of entries) {
    const r = parseRange(e);
    if (!r) invalid.push(e);
    else ranges.push(`${r[0].toString()}/${r[1]}`);
  }
  return { ranges: [...new Set(ranges)], invalid };
}

/** Whether a client address (as a socket reports it) is inside one of the ranges; false for garbage. */
export function ipInRanges(ip: string, ranges: readonly string[]): boolean {
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = normalise(ipaddr.parse(ip.trim()));
  } catch {
    return false;
  }
  return ranges.some((text) => {
    const r = parseRange(text);
    return !!r && r[0].kind() === addr.kind() && addr.match(r);
  });
}
