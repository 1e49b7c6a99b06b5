/**
 * What makes a device's connection weak, from what the relay saw last (lib/smtp records the TLS version
 * and AUTH mechanism of each session) and the device's settings. Browser-safe (plain data).
 *
 * - TLS older than 1.2: TLS 1.0 and 1.1 are deprecated (RFC 8996).
 * - plaintext AUTH: the password crossed the network unencrypted (no TLS on that session).
 * - IP-only: no password at all; anyone on a listed address can send as the device.
 */
export type Weakness = "old-tls" | "plaintext-auth" | "ip-only";

export const WEAKNESS_LABELS: Record<Weakness, string> = {
  "old-tls": "TLS older than 1.2",
  "plaintext-auth": "password sent without TLS",
  "ip-only": "IP-only (no password)",
};

const OLD_TLS = new Set(["SSLv3", "TLSv1", "TLSv1.1"]);

export function weaknesses(d: { ipOnly: boolean; lastSeenAt: Date | null; lastTlsVersion: string | null; lastAuthMethod: string | null }): Weakness[] {
  const out: Weakness[] = [];
  if (d.lastTlsVersion && OLD_TLS.has(d.lastTlsVersion)) out.push("old-tls");
  // lib/smtp/server.ts records "PLAIN"/"LOGIN", or "none (IP)" for an IP-only session; "none" as TLS for a plaintext one.
  const authed = !!d.lastAuthMethod && !/^(none|ip)\b/i.test(d.lastAuthMethod);
  if (d.lastSeenAt && authed && (!d.lastTlsVersion || /^(none|plain)/i.test(d.lastTlsVersion))) out.push("plaintext-auth");
  if (d.ipOnly) out.push("ip-only");
  return out;
}
