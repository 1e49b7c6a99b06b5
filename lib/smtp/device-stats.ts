import "server-only";
import { logError } from "../log";
import { rawPool } from "../raw-db";

/**
 * What the Devices page shows about each device: when and from where it last connected, with which TLS
 * version and AUTH mechanism (so an admin sees which devices are weak), and how many messages the
 * relay queued for it or refused. Best effort: a failure here never changes the answer to the device.
 * Plain statements on the raw pool (lib/raw-db.ts): one per connection and one per message.
 */
export async function noteDeviceSeen(deviceId: string, seen: { ip: string; tls: string | null; auth: string }): Promise<void> {
  await rawPool()
    .query(`UPDATE "Device" SET "lastSeenAt" = (now() AT TIME ZONE 'UTC'), "lastSeenIp" = $2, "lastTlsVersion" = $3, "lastAuthMethod" = $4 WHERE id = $1`, [deviceId, seen.ip.slice(0, 64), seen.tls ?? "none", seen.auth])
    .catch((err: unknown) => logError(`smtp: could not record device ${deviceId} as seen`, err));
}

export async function countDeviceMessage(deviceId: string, outcome: "queued" | "refused"): Promise<void> {
  const column = outcome === "queued" ? `"messageCount"` : `"refusedCount"`;
  await rawPool()
    .query(`UPDATE "Device" SET ${column} = ${column} + 1 WHERE id = $1`, [deviceId])
    .catch((err: unknown) => logError(`smtp: could not count a message of device ${deviceId}`, err));
}
