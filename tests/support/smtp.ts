/**
 * What the SMTP relay tests share: a device created the way the Devices page stores one (Prisma + the
 * real credential helpers of lib/devices/secret.ts), granted sender mailboxes, and nodemailer transports
 * that talk to the relay as a device would. Import after the portal environment is set (env() reads once).
 */
import nodemailer from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";

export interface TestDevice {
  id: string;
  username: string;
  password: string;
}

export async function createDevice(
  tenantId: string,
  opts: { name?: string; grant?: string[]; data?: Record<string, unknown> } = {},
): Promise<TestDevice> {
  const { db } = await import("@/lib/db");
  const { newDevicePassword, newDeviceUsername } = await import("@/lib/devices/secret");
  const { password, hash } = newDevicePassword();
  const name = opts.name ?? "Scanner";
  const d = await db().device.create({
    data: { tenantId, name, username: newDeviceUsername(name), passwordHash: hash, passwordSetAt: new Date(), ...opts.data },
    select: { id: true, username: true },
  });
  for (const address of opts.grant ?? []) {
    const m = await db().senderMailbox.findFirstOrThrow({ where: { tenantId, address: { equals: address, mode: "insensitive" } }, select: { id: true } });
    await db().senderGrant.create({ data: { mailboxId: m.id, deviceId: d.id } });
  }
  return { ...d, password };
}

/** A transport to the relay: STARTTLS required (unless `plain`), trusting the relay's generated CA. */
export function transport(port: number, ca: string, opts: Partial<SMTPTransport.Options> & { pool?: boolean; maxConnections?: number } = {}) {
  return nodemailer.createTransport({
    host: "127.0.0.1",
    port,
    secure: false,
    requireTLS: true,
    tls: { ca, servername: "localhost" },
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 120_000,
    ...opts,
  } as SMTPTransport.Options);
}

/** The SMTP reply of a failed send, e.g. { code: 550, text: "5.7.1 …" }. */
export async function refusal(p: Promise<unknown>): Promise<{ code: number; text: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { responseCode?: number; response?: string };
    return { code: e.responseCode ?? 0, text: e.response ?? String(err) };
  }
  throw new Error("expected the relay to refuse the message");
}
