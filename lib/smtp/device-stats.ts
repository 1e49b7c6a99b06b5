import "server-only";
import { db } from "../db";
import { logError } from "../log";

/**
 * What the Devices page shows about each device: when and from where it last connected, with which TLS
 * version and AUTH mechanism (so an admin sees which devices are weak), and how many messages the
 * relay queued for it or refused. Best effort: a failure here never changes the answer to the device.
 */
export async function noteDeviceSeen(deviceId: string, seen: { ip: string; tls: string | null; auth: string }): Promise<void> {
  await db()
    .device.update({ where: { id: deviceId }, data: { lastSeenAt: new Date(), lastSeenIp: seen.ip.slice(0, 64), lastTlsVersion: seen.tls ?? "none", lastAuthMethod: seen.auth } })
    .catch((err: unknown) => logError(`smtp: could not record device ${deviceId} as seen`, err));
}

export async function countDeviceMessage(deviceId: string, outcome: "queued" | "refused"): Promise<void> {
  await db()
    .device.update({ where: { id: deviceId }, data: outcome === "queued" ? { messageCount: { increment: 1 } } : { refusedCount: { increment: 1 } } })
    .catch((err: unknown) => logError(`smtp: could not count a message of device ${deviceId}`, err));
}
