import "server-only";
import { existsSync, readFileSync } from "node:fs";
import nodemailer from "nodemailer";
import { db } from "../db";
import type { SessionUser } from "../auth/session";
import { AppError, notFound } from "../errors";
import { parseInput } from "../validate";
import { recordAudit } from "../audit/record";
import { relayInfo } from "../smtp/relay-info";
import { testSendSchema } from "../schemas/device";
import { assertMayManageDevices } from "./access";

export interface TestSendResult {
  /** Whether the relay answered 250 to the message. */
  accepted: boolean;
  /** The relay's last SMTP reply, as it came (e.g. "250 2.0.0 queued as …", "535 5.7.8 …"). */
  reply: string;
  /** Where the portal connected (host:port) and how. */
  via: string;
}

/** The host to connect to on this machine: the listener's bind address, or loopback when it listens on all. */
function localHost(bind: string): string {
  if (bind === "0.0.0.0" || bind === "") return "127.0.0.1";
  if (bind === "::" || bind === "[::]") return "::1";
  return bind;
}

/**
 * "Send a test" from the device's page: a real SMTP session from the portal to its own relay (nodemailer,
 * STARTTLS required), authenticating as the device with the password the admin just saw or pasted — it
 * is used for this one session and never stored, logged or sent back. The message comes from the
 * device's default mailbox (else its first granted one) and goes through the relay like any device's,
 * into the outbox. The answer is the relay's reply as it came, so the admin sees what a device would.
 */
export async function testSendDevice(actor: SessionUser, raw: Record<string, unknown>): Promise<TestSendResult> {
  assertMayManageDevices(actor, "test SMTP devices");
  const input = parseInput(testSendSchema, raw);
  const d = await db().device.findUnique({
    where: { id: input.deviceId },
    select: { id: true, name: true, username: true, tenantId: true, ipOnly: true, revokedAt: true, defaultFrom: true, grants: { select: { mailbox: { select: { address: true } } } } },
  });
  if (!d) throw notFound("That device");
  if (d.revokedAt) throw new AppError("DEVICE_REVOKED", { userMessage: "This device is revoked: a test would be refused.", status: 409 });
  if (!d.ipOnly && !input.password) {
    const message = "Paste the device's password (shown when it was added or rotated): the test signs in as the device";
    throw new AppError("VALIDATION_FAILED", { userMessage: message, status: 422, fields: { password: message } });
  }
  const from = d.defaultFrom ?? d.grants.map((g) => g.mailbox.address).sort()[0];
  if (!from) throw new AppError("DEVICE_NO_MAILBOX", { userMessage: "This device is granted no mailbox: edit it first.", status: 409 });

  const relay = relayInfo();
  if (!relay.enabled) throw new AppError("RELAY_OFF", { userMessage: "The SMTP relay is turned off (PORTAL_SMTP_PORT=0): there is nothing to test against.", status: 409 });
  const host = localHost(relay.bind);
  const via = `${host}:${relay.port} (STARTTLS)`;
  const ca = relay.certificate.kind === "generated" && existsSync(relay.certificate.caFile) ? readFileSync(relay.certificate.caFile, "utf8") : undefined;
  const transport = nodemailer.createTransport({
    host,
    port: relay.port,
    secure: false,
    requireTLS: true,
    // The certificate is issued for the relay's host name, not for loopback; with a generated certificate its CA is the trust anchor.
    tls: { servername: relay.hostname, ...(ca ? { ca } : {}), minVersion: relay.minTls },
    ...(d.ipOnly ? {} : { auth: { user: d.username, pass: input.password } }),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    name: "portal-test",
  });
  let result: TestSendResult;
  try {
    const info = await transport.sendMail({
      from,
      to: input.to,
      subject: `Test from the Graph Mail Portal for device ${d.name}`,
      text: `This test was sent by ${actor.name ?? actor.email} from the Devices page, through the SMTP relay, signed in as ${d.username}.\r\n`,
    });
    result = { accepted: true, reply: info.response, via };
  } catch (err) {
    const e = err as { code?: string; response?: string; message?: string };
    const unreachable = e.code === "ESOCKET" || e.code === "ECONNECTION" || e.code === "ETIMEDOUT";
    const reply = e.response ?? (unreachable ? `The relay is not reachable at ${via}: ${e.message ?? e.code}. Is the portal's SMTP listener running?` : (e.message ?? "no reply"));
    result = { accepted: false, reply, via };
  } finally {
    transport.close();
  }
  await recordAudit({ actor, action: "device.test-sent", target: d.name, tenantId: d.tenantId, after: { id: d.id, to: input.to, from, accepted: result.accepted, reply: result.reply.slice(0, 300) } });
  return result;
}
