/**
 * A device's message that Graph refused is not lost with its send: the outbox keeps the MIME the relay
 * stored for a failed send (lib/outbox/finish-send.ts), and a dead letter's retry or "Send again" queues
 * it again as the device (lib/sends/resend-device.ts) — delivered once, its copy removed once sent. A
 * discard and retention remove a kept message. Real SMTP client (nodemailer) → relay → outbox worker →
 * sandbox, with a permanent fault injected in the sandbox for the first try.
 */
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestSandbox } from "m365-sandbox/helpers";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
import { createDevice, transport, type TestDevice } from "../support/smtp";
import { uploadStored } from "../support/uploads";
import type * as DbModule from "@/lib/db";
import type * as ServerModule from "@/lib/smtp/server";
import type * as WorkerModule from "@/lib/outbox/worker";
import type * as ResolveModule from "@/lib/dead-letters/resolve-dead-letters";
import type * as SendAgainModule from "@/lib/history/send-again";
import type * as PurgeModule from "@/lib/history/purge-sends";

let env: PortalEnv;
let sb: TestSandbox;
let db: typeof DbModule.db;
let relay: ServerModule.Relay;
let worker: WorkerModule.OutboxWorker;
let dead: typeof ResolveModule;
let sendAgain: typeof SendAgainModule.sendAgain;
let purgeSends: typeof PurgeModule.purgeSends;
let ca: string;
let device: TestDevice;
let mb: { shared: string; allowed: string };
const admin = { id: "", name: "Resend admin", email: "resend-admin@example.com", role: "admin" as const, tenantId: null as string | null };
const sender = { id: "", name: "Resend sender", email: "resend-sender@example.com", role: "sender" as const, tenantId: null as string | null };

beforeAll(async () => {
  process.env.PORTAL_SMTP_PORT = "0";
  process.env.PORTAL_SMTP_BIND = "127.0.0.1";
  process.env.PORTAL_SMTP_HOSTNAME = "localhost";
  env = await startPortalEnv("smtp-resend", { senders: (e) => [e.mailboxes.shared, e.mailboxes.allowed] });
  sb = env.sb;
  mb = sb.endpoints.mailboxes;
  db = (await import("@/lib/db")).db;
  const { startRelay } = await import("@/lib/smtp/server");
  const { relayInfo } = await import("@/lib/smtp/relay-info");
  const { OutboxWorker } = await import("@/lib/outbox/worker");
  dead = await import("@/lib/dead-letters/resolve-dead-letters");
  ({ sendAgain } = await import("@/lib/history/send-again"));
  ({ purgeSends } = await import("@/lib/history/purge-sends"));
  relay = await startRelay({ ...relayInfo(), port: 0, implicitTlsPort: null });
  ca = readFileSync(relay.caFile!, "utf8");
  device = await createDevice(env.tenantId, { name: "Resend MFP", grant: [mb.shared], data: { ratePerMinute: 1000 } });
  for (const p of [admin, sender]) p.id = (await db().user.create({ data: { email: p.email, name: p.name, role: p.role } })).id;
  worker = new OutboxWorker({ pollMs: 300 });
  worker.start();
});

afterAll(async () => {
  await sb?.control("/faults", { rate: 0, latencyMs: 0, mailbox: mb.shared });
  await worker?.stop();
  await relay?.close();
  await env?.close();
});

const uniq = () => randomBytes(4).toString("hex");

interface Row {
  id: string;
  status: string;
  mode: string;
  deviceId: string | null;
  mimeUploadId: string | null;
  errorCode: string | null;
}

async function final(where: { id: string } | { subject: string; retriedAsId?: null }): Promise<Row> {
  for (let i = 0; i < 600; i++) {
    const s = await db().send.findFirst({ where, orderBy: { createdAt: "asc" }, select: { id: true, status: true, mode: true, deviceId: true, mimeUploadId: true, errorCode: true } });
    if (s && ["accepted", "failed", "uncertain"].includes(s.status)) return s;
    await sleep(200);
  }
  throw new Error(`send ${JSON.stringify(where)} did not finish`);
}

async function copies(subject: string, mailbox: string): Promise<number> {
  const r = await sb.control<{ subject: string; mailbox: string }[]>(`/messages?subject=${encodeURIComponent(subject)}&folder=inbox`);
  return r.json.filter((m) => m.subject === subject && m.mailbox.toLowerCase() === mailbox.toLowerCase()).length;
}

/** A message from the device that Graph refuses for good (403 on the sender mailbox): a dead letter with its MIME kept. */
async function refusedMessage(subject: string): Promise<Row> {
  await sb.control("/faults", { rate: 1, statuses: [403], mailbox: mb.shared });
  try {
    await transport(relay.ports.starttls!, ca, { auth: { user: device.username, pass: device.password } }).sendMail({ from: `Scanner <${mb.shared}>`, to: mb.allowed, subject, text: `Scan ${subject}.` });
    const failed = await final({ subject });
    expect(failed).toMatchObject({ status: "failed", mode: "smtp", deviceId: device.id });
    return failed;
  } finally {
    await sb.control("/faults", { rate: 0, latencyMs: 0, mailbox: mb.shared });
  }
}

describe("a failed device send can be sent again", () => {
  it("its MIME is kept; a dead letter's retry sends it as the device, exactly once, and the copies are removed once sent", async () => {
    const subject = `resend dl ${uniq()}`;
    const failed = await refusedMessage(subject);
    expect(failed.mimeUploadId).toBeTruthy();
    expect(await uploadStored(failed.mimeUploadId!)).toBe(true);
    expect(await copies(subject, mb.allowed)).toBe(0);

    const [out] = await dead.retryDeadLetters(admin, [failed.id]);
    expect(out).toMatchObject({ id: failed.id, ok: true });
    const retried = await final({ id: out!.newId! });
    expect(retried).toMatchObject({ status: "accepted", mode: "smtp", deviceId: device.id });
    expect(retried.mimeUploadId).not.toBe(failed.mimeUploadId);
    expect(await copies(subject, mb.allowed)).toBe(1);
    // Sent: neither the original's MIME nor the retry's copy stays on the portal.
    expect(await uploadStored(failed.mimeUploadId!)).toBe(false);
    expect(await uploadStored(retried.mimeUploadId!)).toBe(false);
    // Once retried, nothing is left to retry: a second retry is refused, not queued.
    await expect(dead.retryDeadLetters(admin, [failed.id])).rejects.toMatchObject({ code: "NOT_DEAD_LETTER" });
  }, 120_000);

  it('"Send again" by an admin sends it as the device; a sender may not send a device\'s message again', async () => {
    const subject = `resend again ${uniq()}`;
    const failed = await refusedMessage(subject);
    await expect(sendAgain(sender, failed.id)).rejects.toMatchObject({ status: expect.any(Number) });
    expect(await uploadStored(failed.mimeUploadId!)).toBe(true);
    const copy = await sendAgain(admin, failed.id);
    const sent = await final({ id: copy.id });
    expect(sent).toMatchObject({ status: "accepted", mode: "smtp", deviceId: device.id });
    expect(await copies(subject, mb.allowed)).toBe(1);
    expect(await uploadStored(failed.mimeUploadId!)).toBe(false);
  }, 120_000);

  it("a revoked device's message is not sent again: refused with the reason, its MIME still kept", async () => {
    const subject = `resend revoked ${uniq()}`;
    const failed = await refusedMessage(subject);
    await db().device.update({ where: { id: device.id }, data: { revokedAt: new Date() } });
    try {
      const [out] = await dead.retryDeadLetters(admin, [failed.id]);
      expect(out).toMatchObject({ id: failed.id, ok: false, reason: expect.stringMatching(/\S/) });
      expect(await uploadStored(failed.mimeUploadId!)).toBe(true);
    } finally {
      await db().device.update({ where: { id: device.id }, data: { revokedAt: null } });
    }
  }, 120_000);

  it("a discarded dead letter's MIME is removed; retention removes a kept one with its send", async () => {
    const a = await refusedMessage(`resend discard ${uniq()}`);
    const b = await refusedMessage(`resend purge ${uniq()}`);
    const [out] = await dead.discardDeadLetters(admin, [a.id]);
    expect(out).toMatchObject({ ok: true });
    expect(await uploadStored(a.mimeUploadId!)).toBe(false);
    expect(await uploadStored(b.mimeUploadId!)).toBe(true);
    // Past the tenant's retention: the send and the message kept for it go together.
    await purgeSends({ now: new Date(Date.now() + 10 * 365 * 86_400_000) });
    expect(await db().send.count({ where: { id: b.id } })).toBe(0);
    expect(await uploadStored(b.mimeUploadId!)).toBe(false);
  }, 120_000);
});
