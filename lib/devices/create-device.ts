import "server-only";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { notFound } from "../errors";
import { parseInput } from "../validate";
import { recordAudit } from "../audit/record";
import { grantDeviceMailboxes } from "../grants/grant-device-mailboxes";
import { createDeviceSchema } from "../schemas/device";
import { assertMayManageDevices } from "./access";
import { newDevicePassword, newDeviceUsername } from "./secret";

export interface CreatedDevice {
  id: string;
  name: string;
  username: string;
  /** Shown once; null for an IP-only device. Only its hash is stored. */
  password: string | null;
}

/**
 * An admin registers an SMTP device: its tenant, granted mailboxes, default mailbox and From policy,
 * address ranges, limits — in one transaction with its grants and its audit event. The SMTP username is
 * generated (unique), the password too, returned once to be shown once.
 */
export async function createDevice(actor: SessionUser, raw: Record<string, unknown>): Promise<CreatedDevice> {
  assertMayManageDevices(actor, "add SMTP devices");
  const input = parseInput(createDeviceSchema, raw);
  const tenant = await db().tenant.findUnique({ where: { id: input.tenantId }, select: { id: true } });
  if (!tenant) throw notFound("That tenant");
  const secret = input.ipOnly ? null : newDevicePassword();
  const username = newDeviceUsername(input.name);
  const device = await db().$transaction(async (tx) => {
    const d = await tx.device.create({
      data: {
        tenantId: tenant.id,
        name: input.name,
        username,
        passwordHash: secret?.hash ?? null,
        passwordSetAt: secret ? new Date() : null,
        fromPolicy: input.fromPolicy,
        allowedIps: input.allowedIps,
        ipOnly: input.ipOnly,
        allowPlaintext: input.allowPlaintext,
        maxMessageBytes: input.maxMessageMb ? input.maxMessageMb * 1024 * 1024 : null,
        ratePerMinute: input.ratePerMinute,
        saveToSent: input.saveToSent,
        createdById: actor.id,
      },
      select: { id: true },
    });
    const granted = await grantDeviceMailboxes(tx, { tenantId: tenant.id, deviceId: d.id, mailboxIds: input.mailboxIds, grantedById: actor.id });
    const defaultFrom = input.defaultMailboxId ? (granted.byId.get(input.defaultMailboxId) ?? null) : null;
    if (defaultFrom) await tx.device.update({ where: { id: d.id }, data: { defaultFrom } });
    await recordAudit(
      {
        actor,
        action: "device.created",
        target: input.name,
        tenantId: tenant.id,
        after: {
          id: d.id, username, mailboxes: granted.addresses, defaultFrom, fromPolicy: input.fromPolicy, allowedIps: input.allowedIps, ipOnly: input.ipOnly,
          allowPlaintext: input.allowPlaintext, maxMessageMb: input.maxMessageMb ?? null, ratePerMinute: input.ratePerMinute, saveToSent: input.saveToSent,
        },
      },
      tx,
    );
    return d;
  });
  return { id: device.id, name: input.name, username, password: secret?.password ?? null };
}
