import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { AppError, notFound } from "../errors";
import { recordAudit } from "../audit/record";
import { assertMayManageDevices } from "./access";
import { newDevicePassword } from "./secret";

/**
 * A new password for a device, returned once; the old one stops working at the device's next AUTH (the
 * relay compares hashes per session). IP-only and revoked devices have no password to rotate.
 */
export async function rotateDevicePassword(actor: SessionUser, input: { deviceId: string }): Promise<{ name: string; username: string; password: string }> {
  assertMayManageDevices(actor, "rotate device passwords");
  return db().$transaction(async (tx) => {
    const d = await tx.device.findUnique({ where: { id: input.deviceId }, select: { id: true, name: true, username: true, tenantId: true, ipOnly: true, revokedAt: true } });
    if (!d) throw notFound("That device");
    if (d.revokedAt) throw new AppError("DEVICE_REVOKED", { userMessage: "This device is revoked: add a new device instead.", status: 409 });
    if (d.ipOnly) throw new AppError("DEVICE_IP_ONLY", { userMessage: "This device is IP-only: it has no password. Edit it to give it one.", status: 409 });
    const secret = newDevicePassword();
    await tx.device.update({ where: { id: d.id }, data: { passwordHash: secret.hash, passwordSetAt: new Date() } });
    await recordAudit({ actor, action: "device.password-rotated", target: d.name, tenantId: d.tenantId, after: { id: d.id, username: d.username } }, tx);
    return { name: d.name, username: d.username, password: secret.password };
  });
}
