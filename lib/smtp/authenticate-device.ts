import "server-only";
import { db } from "../db";
import { safeEqual } from "../crypto";
import { hashDevicePassword } from "../devices/secret";
import { ipInRanges } from "../devices/ip-ranges";
import { hit, refund, tryAgainIn, type Hit } from "../rate-limit/hit";
import { recordAudit } from "../audit/record";
import { logError } from "../log";
import { reply } from "./replies";

/**
 * SMTP AUTH (PLAIN or LOGIN) of a device: its generated username and password (lib/devices/secret.ts,
 * stored as a hash), checked where the data is, every time:
 *  - failed attempts are counted per username and per client address on the shared PostgreSQL counters
 *    (lib/rate-limit, limits smtpAuthUser/smtpAuthIp); over either, even the right password gets
 *    454 4.7.0 until the window ends (a temporary failure, RFC 4954 §6 — Gmail answers the same);
 *  - a wrong username or password, a revoked device or an IP-only device: 535 5.7.8, one answer for all;
 *  - the right password from an address outside the device's ranges, or an expired password: 535 5.7.8
 *    saying so (only someone who knows the password learns it);
 *  - AUTH without TLS: 538 5.7.11 (RFC 4954 §6, "encryption required") unless an admin allowed
 *    plaintext for this device and it connects from one of its allowed ranges (a legacy device on a
 *    trusted network, shown as a warning on the Devices page).
 * The device comes back as the relay needs it; nothing about the password leaves this file.
 */
export interface RelayDevice {
  id: string;
  name: string;
  tenantId: string;
  allowedIps: string[];
  ipOnly: boolean;
  allowPlaintext: boolean;
  maxMessageBytes: number | null;
  ratePerMinute: number;
  saveToSent: boolean;
  defaultFrom: string | null;
  fromPolicy: string;
}

export const RELAY_DEVICE_SELECT = {
  id: true,
  name: true,
  tenantId: true,
  allowedIps: true,
  ipOnly: true,
  allowPlaintext: true,
  maxMessageBytes: true,
  ratePerMinute: true,
  saveToSent: true,
  defaultFrom: true,
  fromPolicy: true,
} as const;

const INVALID = () => reply(535, "5.7.8", "Authentication credentials invalid");
// Computed for unknown usernames too, so the answer takes as long whether or not the device exists.
const DUMMY_HASH = hashDevicePassword("not-a-device-password");

export async function authenticateDevice(a: { username: string; password: string; ip: string; secure: boolean }) {
  const username = a.username.trim().toLowerCase().slice(0, 256);
  const hits: Hit[] = [
    { limit: "smtpAuthUser", key: `smtp:${username}` },
    { limit: "smtpAuthIp", key: a.ip },
  ];
  let device: (RelayDevice & { passwordHash: string | null; passwordExpiresAt: Date | null; revokedAt: Date | null }) | null;
  try {
    const counted = await hit(hits);
    if (!counted.ok) {
      if (counted.firstRefusal) await recordAudit({ actor: null, action: "smtp.auth.limited", target: username, after: { ip: a.ip } }).catch(() => undefined);
      throw reply(454, "4.7.0", `Too many failed AUTH attempts for this username or from this address. ${tryAgainIn(counted.retryAfterMs)}`);
    }
    device = await db().device.findUnique({ where: { username }, select: { ...RELAY_DEVICE_SELECT, passwordHash: true, passwordExpiresAt: true, revokedAt: true } });
  } catch (err) {
    if (err instanceof Error && err.name === "SmtpReply") throw err;
    logError("smtp: AUTH could not be checked", err);
    throw reply(454, "4.7.0", "Temporary authentication failure: the portal cannot check credentials right now; try again later");
  }
  const ok = safeEqual(hashDevicePassword(a.password), device?.passwordHash ?? DUMMY_HASH);
  if (!device || !ok || !device.passwordHash || device.revokedAt || device.ipOnly) throw INVALID();
  // The right password: this attempt was no guess.
  await refund(hits).catch(() => undefined);
  const inRange = device.allowedIps.length > 0 && ipInRanges(a.ip, device.allowedIps);
  if (device.allowedIps.length > 0 && !inRange) throw reply(535, "5.7.8", `This device may not connect from ${a.ip}; an admin lists its addresses on the Devices page`);
  if (device.passwordExpiresAt && device.passwordExpiresAt <= new Date()) throw reply(535, "5.7.8", "The password of this device has expired; an admin sets a new one on the Devices page");
  if (!a.secure && !(device.allowPlaintext && inRange)) {
    throw reply(538, "5.7.11", "Encryption required: use STARTTLS (or the implicit-TLS port) before AUTH");
  }
  const { passwordHash: _h, passwordExpiresAt: _e, revokedAt: _r, ...relayDevice } = device;
  return relayDevice satisfies RelayDevice;
}

/**
 * An IP-only device (no AUTH) for a client address: the one whose allowed ranges contain it, the most
 * specific range first (a device listed by its own address wins over a subnet's), then the oldest.
 */
export async function ipOnlyDevice(ip: string): Promise<RelayDevice | null> {
  const candidates = await db().device.findMany({ where: { ipOnly: true, revokedAt: null }, select: { ...RELAY_DEVICE_SELECT, createdAt: true }, orderBy: { createdAt: "asc" } });
  let best: { d: RelayDevice; bits: number } | null = null;
  for (const { createdAt: _c, ...d } of candidates) {
    for (const range of d.allowedIps) {
      if (!ipInRanges(ip, [range])) continue;
      const bits = Number(range.split("/")[1] ?? 128);
      if (!best || bits > best.bits) best = { d, bits };
    }
  }
  return best?.d ?? null;
}
