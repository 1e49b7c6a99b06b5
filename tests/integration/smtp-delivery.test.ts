/**
 * End to end through the sandbox tenant: a device hands messages to the relay with nodemailer, the outbox
 * (the same OutboxWorker every portal process runs) delivers them with the real MSAL and Graph SDK, and
 * each recipient's sandbox inbox holds each message exactly once: Bcc given only in the envelope
 * delivered, a Bcc-only message delivered, a header recipient the device did not address not delivered,
 * attachments intact, and the stored message removed once sent.
 */
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import MailComposer from "nodemailer/lib/mail-composer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestSandbox } from "m365-sandbox/helpers";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
import { createDevice, transport, type TestDevice } from "../support/smtp";
import type * as DbModule from "@/lib/db";
import type * as ServerModule from "@/lib/smtp/server";
import type * as WorkerModule from "@/lib/outbox/worker";
import { uploadStored } from "../support/uploads";

let env: PortalEnv;
let sb: TestSandbox;
let db: typeof DbModule.db;
let relay: ServerModule.Relay;
let worker: WorkerModule.OutboxWorker;
let ca: string;
let device: TestDevice;
let mb: { shared: string; allowed: string; outsidePolicy: string };

beforeAll(async () => {
  process.env.PORTAL_SMTP_PORT = "0";
  process.env.PORTAL_SMTP_BIND = "127.0.0.1";
  process.env.PORTAL_SMTP_HOSTNAME = "localhost";
  env = await startPortalEnv("smtp-delivery", { senders: (e) => [e.mailboxes.shared, e.mailboxes.allowed] });
  sb = env.sb;
  mb = sb.endpoints.mailboxes;
  db = (await import("@/lib/db")).db;
  const { startRelay } = await import("@/lib/smtp/server");
  const { relayInfo } = await import("@/lib/smtp/relay-info");
  const { OutboxWorker } = await import("@/lib/outbox/worker");
  relay = await startRelay({ ...relayInfo(), port: 0, implicitTlsPort: null });
  ca = readFileSync(relay.caFile!, "utf8");
  device = await createDevice(env.tenantId, { name: "MFP", grant: [mb.shared], data: { ratePerMinute: 1000 } });
  worker = new OutboxWorker({ pollMs: 300 });
  worker.start();
});

afterAll(async () => {
  await worker?.stop();
  await relay?.close();
  await env?.close();
});

const uniq = () => randomBytes(4).toString("hex");
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

interface Delivered {
  mailbox: string;
  folder: string;
  subject: string;
  attachments: { name: string; sha256: string }[];
}

async function copies(subject: string): Promise<Delivered[]> {
  const r = await sb.control<Delivered[]>(`/messages?subject=${encodeURIComponent(subject)}&folder=inbox`);
  return r.json.filter((m) => m.subject === subject);
}

async function settled(subject: string): Promise<{ status: string; mimeUploadId: string | null }> {
  for (let i = 0; i < 600; i++) {
    const s = await db().send.findFirst({ where: { subject }, select: { status: true, mimeUploadId: true, errorMessage: true } });
    if (s && ["accepted", "failed", "uncertain"].includes(s.status)) {
      expect(s, s.errorMessage ?? "").toMatchObject({ status: "accepted" });
      return s;
    }
    await sleep(200);
  }
  throw new Error(`send "${subject}" did not finish`);
}

const inboxes = (list: Delivered[]) => list.map((m) => m.mailbox.toLowerCase()).sort();

describe("relay → outbox → sandbox", () => {
  it("To, Cc and an envelope-only Bcc each receive the message exactly once; the stored message is removed once sent", async () => {
    const subject = `e2e ${uniq()}`;
    const pdf = randomBytes(200_000);
    await transport(relay.ports.starttls!, ca, { auth: { user: device.username, pass: device.password } }).sendMail({
      from: `Scanner <${mb.shared}>`, to: mb.allowed, cc: mb.outsidePolicy, bcc: mb.shared, subject, text: "Scan attached.",
      attachments: [{ filename: "scan.pdf", content: pdf, contentType: "application/pdf" }],
    });
    const s = await settled(subject);
    const got = await copies(subject);
    expect(inboxes(got)).toEqual([mb.allowed, mb.outsidePolicy, mb.shared].map((a) => a.toLowerCase()).sort());
    expect(got.every((m) => m.attachments.some((a) => a.name === "scan.pdf" && a.sha256 === sha(pdf)))).toBe(true);
    expect(await uploadStored(s.mimeUploadId!)).toBe(false);
  });

  it("a Bcc-only message is delivered to its envelope recipients", async () => {
    const subject = `e2e bcc-only ${uniq()}`;
    await transport(relay.ports.starttls!, ca, { auth: { user: device.username, pass: device.password, method: "LOGIN" } }).sendMail({ from: mb.shared, bcc: [mb.allowed, mb.outsidePolicy], subject, text: "x" });
    await settled(subject);
    expect(inboxes(await copies(subject))).toEqual([mb.allowed, mb.outsidePolicy].map((a) => a.toLowerCase()).sort());
  });

  it("a header recipient the device did not address (not in RCPT TO) receives nothing", async () => {
    const subject = `e2e header-only ${uniq()}`;
    const raw = await new MailComposer({ from: mb.shared, to: [mb.allowed, mb.outsidePolicy], subject, text: "x" }).compile().build();
    await transport(relay.ports.starttls!, ca, { auth: { user: device.username, pass: device.password } }).sendMail({ envelope: { from: mb.shared, to: [mb.allowed] }, raw });
    await settled(subject);
    expect(inboxes(await copies(subject))).toEqual([mb.allowed.toLowerCase()]);
  });
});
