import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { notFound } from "../errors";
import { recordAudit } from "../audit/record";
import { assertMayManageDevices } from "./access";

/**
 * Revokes a device at once: its next AUTH (or IP-only connection) is refused, and its queued sends that
 * have not gone out fail at claim time (lib/grants/may-send.ts asks again). The row stays, so History
 * keeps the device's name.
 */
export async function revokeDevice(actor: SessionUser, input: { deviceId: string }): Promise<void> {
  assertMayManageDevices(actor, "revoke SMTP devices");
  await db().$transaction(async (tx) => {
    const d = await tx.device.findUnique({ where: { id: input.deviceId }, select: { id: true, name: true, username: true, tenantId: true, revokedAt: true } });
    if (!d) throw notFound("That device");
    if (d.revokedAt) return;
    await tx.device.update({ where: { id: d.id }, data: { revokedAt: new Date(), revokedById: actor.id, passwordHash: null } });
    await recordAudit({ actor, action: "device.revoked", target: d.name, tenantId: d.tenantId, before: { id: d.id, username: d.username } }, tx);
  });
}
