import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { AppError, notFound } from "../errors";
import { parseInput } from "../validate";
import { recordAudit } from "../audit/record";
import { grantDeviceMailboxes } from "../grants/grant-device-mailboxes";
import { updateDeviceSchema } from "../schemas/device";
import { assertMayManageDevices } from "./access";
import { newDevicePassword } from "./secret";

/**
 * An admin edits a device's settings and grants (its tenant and username stay). A device that stops
 * being IP-only gets a new password, returned once; one that becomes IP-only loses its password. The
 * audit event has the settings before and after. A revoked device cannot be edited.
 */
export async function updateDevice(actor: SessionUser, raw: Record<string, unknown>): Promise<{ password: string | null }> {
  assertMayManageDevices(actor, "edit SMTP devices");
  const input = parseInput(updateDeviceSchema, raw);
  return db().$transaction(async (tx) => {
    const before = await tx.device.findUnique({
      where: { id: input.deviceId },
      select: {
        id: true, tenantId: true, name: true, username: true, passwordHash: true, defaultFrom: true, fromPolicy: true, allowedIps: true, ipOnly: true,
        allowPlaintext: true, maxMessageBytes: true, ratePerMinute: true, saveToSent: true, revokedAt: true,
        grants: { select: { mailbox: { select: { address: true } } } },
      },
    });
    if (!before) throw notFound("That device");
    if (before.revokedAt) throw new AppError("DEVICE_REVOKED", { userMessage: "This device is revoked: add a new device instead.", status: 409 });
    const secret = !input.ipOnly && !before.passwordHash ? newDevicePassword() : null;
    const granted = await grantDeviceMailboxes(tx, { tenantId: before.tenantId, deviceId: before.id, mailboxIds: input.mailboxIds, grantedById: actor.id });
    const defaultFrom = input.defaultMailboxId ? (granted.byId.get(input.defaultMailboxId) ?? null) : null;
    const after = {
      name: input.name, defaultFrom, fromPolicy: input.fromPolicy, allowedIps: input.allowedIps, ipOnly: input.ipOnly, allowPlaintext: input.allowPlaintext,
      maxMessageBytes: input.maxMessageMb ? input.maxMessageMb * 1024 * 1024 : null, ratePerMinute: input.ratePerMinute, saveToSent: input.saveToSent,
    };
    await tx.device.update({
      where: { id: before.id },
      data: {
        ...after,
        ...(input.ipOnly ? { passwordHash: null, passwordSetAt: null } : {}),
        ...(secret ? { passwordHash: secret.hash, passwordSetAt: new Date() } : {}),
      },
    });
    const { grants, passwordHash: _hash, revokedAt: _r, id: _id, tenantId: _t, username: _u, ...old } = before;
    await recordAudit(
      {
        actor,
        action: "device.updated",
        target: input.name,
        tenantId: before.tenantId,
        before: { id: before.id, ...old, mailboxes: grants.map((g) => g.mailbox.address).sort() },
        after: { id: before.id, ...after, mailboxes: granted.addresses, passwordIssued: !!secret },
      },
      tx,
    );
    return { password: secret?.password ?? null };
  });
}
