/**
 * The SMTP relay (lib/smtp) with a real SMTP client — nodemailer — against real PostgreSQL: STARTTLS and
 * implicit TLS with the generated CA, AUTH PLAIN and LOGIN, the envelope deciding the recipients (Bcc only
 * in the envelope, a Bcc-only message, header recipients the device did not address), the message stored
 * byte for byte as sent (attachments, 8bit, quoted-printable and base64 bodies, a 20 MB scan), the From
 * policy, and every refusal with its reply code: 550 5.7.1 with nothing queued, 552, 451 over the
 * device's rate, 535 then 454 for guessed passwords, 538 for AUTH without TLS. Delivery of the queued
 * sends to the sandbox is asserted in smtp-delivery.test.ts; swaks, a second client, in smtp-swaks.test.ts.
 */
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import tls from "node:tls";
import MailComposer from "nodemailer/lib/mail-composer";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TestSandbox } from "m365-sandbox/helpers";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
import { createDevice, refusal, transport, type TestDevice } from "../support/smtp";
import type * as DbModule from "@/lib/db";
import type * as ServerModule from "@/lib/smtp/server";
import type * as InfoModule from "@/lib/smtp/relay-info";
import { storedBytes, uploadsOf } from "../support/uploads";

let env: PortalEnv;
let sb: TestSandbox;
let db: typeof DbModule.db;
let relay: ServerModule.Relay;
let startRelay: typeof ServerModule.startRelay;
let relayInfo: typeof InfoModule.relayInfo;
let ca: string;
let device: TestDevice;
let shared: string;
let allowed: string;

beforeAll(async () => {
  // The relay of this file runs on ephemeral ports; the portal's own (startup.ts) stays off.
  process.env.PORTAL_SMTP_PORT = "0";
  process.env.PORTAL_SMTP_BIND = "127.0.0.1";
  process.env.PORTAL_SMTP_HOSTNAME = "localhost";
  env = await startPortalEnv("smtp", { senders: (e) => [e.mailboxes.shared, e.mailboxes.allowed] });
  sb = env.sb;
  shared = sb.endpoints.mailboxes.shared;
  allowed = sb.endpoints.mailboxes.allowed;
  db = (await import("@/lib/db")).db;
  ({ startRelay } = await import("@/lib/smtp/server"));
  ({ relayInfo } = await import("@/lib/smtp/relay-info"));
  relay = await startRelay({ ...relayInfo(), port: 0, implicitTlsPort: 0 });
  ca = readFileSync(relay.caFile!, "utf8");
  device = await createDevice(env.tenantId, { name: "HR scanner", grant: [shared], data: { ratePerMinute: 1000 } });
});

afterAll(async () => {
  await relay?.close();
  await env?.close();
});

beforeEach(async () => {
  await db().send.deleteMany({});
});

const uniq = () => randomBytes(4).toString("hex");
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const starttls = (d: TestDevice, method = "PLAIN", extra = {}) => transport(relay.ports.starttls!, ca, { auth: { user: d.username, pass: d.password, method }, ...extra });

async function sendsOf(subject: string) {
  return db().send.findMany({ where: { subject }, orderBy: { createdAt: "asc" } });
}

/** The device's stored messages (uploads owned by device:<id>). */
const deviceFiles = (id: string) => uploadsOf(`device:${id}`);

/** The exact bytes nodemailer puts on the wire for a message (MailComposer), sent as `raw`. */
async function compose(mail: ConstructorParameters<typeof MailComposer>[0]): Promise<Buffer> {
  return new MailComposer(mail).compile().build();
}

const trimEnd = (b: Buffer) => b.toString("latin1").replace(/(\r\n)+$/, "");

describe("SMTP relay with nodemailer", () => {
  it("STARTTLS + AUTH PLAIN: queued after 250 with the envelope's recipients; Bcc only in the envelope; the device's TLS and AUTH recorded", async () => {
    const subject = `plain ${uniq()}`;
    const info = await starttls(device).sendMail({ from: `HR Scanner <${shared}>`, to: `Ann <ann@contoso.sandbox>`, cc: "cc@contoso.sandbox", bcc: "hidden@contoso.sandbox", subject, text: "Scan attached." });
    expect(info.response).toMatch(/^250 2\.0\.0 Queued as \w+/);
    const [s] = await sendsOf(subject);
    expect(s).toMatchObject({ mode: "smtp", status: expect.stringMatching(/queued|sending|retrying|failed|accepted/), deviceId: device.id, fromAddress: shared, toAddresses: ["ann@contoso.sandbox"], ccAddresses: ["cc@contoso.sandbox"], bccAddresses: ["hidden@contoso.sandbox"], recipientCount: 3 });
    expect(info.response).toContain(s!.id);
    const stored = await storedBytes(s!.mimeUploadId!);
    expect(stored.toString()).toContain(`Subject: ${subject}`);
    // nodemailer keeps Bcc out of the headers: the relay knows it from RCPT TO only.
    expect(stored.toString()).not.toMatch(/^Bcc:/im);
    const d = await db().device.findUniqueOrThrow({ where: { id: device.id } });
    expect(d).toMatchObject({ lastTlsVersion: "TLSv1.3", lastAuthMethod: "PLAIN", lastSeenIp: "127.0.0.1" });
    expect(d.messageCount).toBeGreaterThanOrEqual(1);
    const audit = await db().auditEvent.findFirst({ where: { action: "send.queued", target: s!.id } });
    expect(audit).toMatchObject({ actorId: device.id, actorName: 'Device "HR scanner"' });
  });

  it("implicit TLS + AUTH LOGIN (the Username:/Password: prompts) queues the message", async () => {
    const subject = `login ${uniq()}`;
    const t = transport(relay.ports.implicitTls!, ca, { secure: true, requireTLS: false, auth: { user: device.username, pass: device.password, method: "LOGIN" } });
    await t.sendMail({ from: shared, to: allowed, subject, text: "x" });
    expect(await sendsOf(subject)).toEqual([expect.objectContaining({ toAddresses: [allowed] })]);
    expect((await db().device.findUniqueOrThrow({ where: { id: device.id } })).lastAuthMethod).toBe("LOGIN");
  });

  it("a Bcc-only message: every recipient from the envelope, none in the headers", async () => {
    const subject = `bcc-only ${uniq()}`;
    await starttls(device).sendMail({ from: shared, bcc: ["one@contoso.sandbox", "Two@Contoso.sandbox"], subject, text: "x" });
    expect(await sendsOf(subject)).toEqual([expect.objectContaining({ toAddresses: [], ccAddresses: [], bccAddresses: ["one@contoso.sandbox", "two@contoso.sandbox"], recipientCount: 2 })]);
  });

  it("header recipients the device did not address receive nothing; envelope-only ones become Bcc", async () => {
    const subject = `envelope ${uniq()}`;
    const raw = await compose({ from: shared, to: ["a@contoso.sandbox", "not-addressed@contoso.sandbox"], cc: "c@contoso.sandbox", subject, text: "x" });
    await starttls(device).sendMail({ envelope: { from: shared, to: ["a@contoso.sandbox", "extra@contoso.sandbox", "c@contoso.sandbox"] }, raw });
    expect(await sendsOf(subject)).toEqual([expect.objectContaining({ toAddresses: ["a@contoso.sandbox"], ccAddresses: ["c@contoso.sandbox"], bccAddresses: ["extra@contoso.sandbox"] })]);
  });

  it.each([
    ["8bit", { text: "Grüße aus der Buchhaltung — 8bit\r\n".repeat(20), textEncoding: undefined, headers: { "Content-Transfer-Encoding": "8bit" } }],
    ["quoted-printable", { text: "Résumé = 100 % ".repeat(40), textEncoding: "quoted-printable" as const }],
    ["base64", { html: "<p>Scan €</p>".repeat(50), textEncoding: "base64" as const }],
  ])("stores a %s body and its attachments byte for byte as the device sent them", async (kind, body) => {
    const subject = `${kind} ${uniq()}`;
    const att = randomBytes(300_000);
    const raw = await compose({ from: shared, to: allowed, subject, ...body, attachments: [{ filename: "scan.pdf", content: att, contentType: "application/pdf" }, { filename: "note.txt", content: "plain" }] });
    await starttls(device).sendMail({ envelope: { from: shared, to: [allowed] }, raw });
    const [s] = await sendsOf(subject);
    const stored = await storedBytes(s!.mimeUploadId!);
    expect(trimEnd(stored)).toBe(trimEnd(raw));
    expect(s!.sizeBytes).toBe(stored.length);
  });

  it("a 20 MB scan-to-PDF streamed from the client is stored whole (sha-256 of the message as sent)", async () => {
    const subject = `scan ${uniq()}`;
    const pdf = Buffer.concat([Buffer.from("%PDF-1.4\n"), randomBytes(20 * 1024 * 1024)]);
    const raw = await compose({ from: `Scanner <${shared}>`, to: allowed, subject, text: "Scanned document", attachments: [{ filename: "scan0001.pdf", content: Readable.from([pdf]), contentType: "application/pdf" }] });
    expect(raw.length).toBeGreaterThan(27 * 1024 * 1024);
    const info = await starttls(device).sendMail({ envelope: { from: shared, to: [allowed] }, raw });
    expect(info.response).toMatch(/^250 /);
    const [s] = await sendsOf(subject);
    const stored = await storedBytes(s!.mimeUploadId!);
    expect(sha(Buffer.from(trimEnd(stored), "latin1"))).toBe(sha(Buffer.from(trimEnd(raw), "latin1")));
  });

  it("a sender the device is not granted: 550 5.7.1, nothing queued, nothing left on disk, refusal audited and counted", async () => {
    const before = await db().device.findUniqueOrThrow({ where: { id: device.id } });
    const filesBefore = await deviceFiles(device.id);
    const subject = `refused ${uniq()}`;
    const r = await refusal(starttls(device).sendMail({ from: allowed, to: allowed, subject, text: "x" }));
    expect(r.code).toBe(550);
    expect(r.text).toMatch(/5\.7\.1 .*may not send as/);
    expect(await sendsOf(subject)).toEqual([]);
    expect(await deviceFiles(device.id)).toEqual(filesBefore);
    expect(await db().auditEvent.findFirst({ where: { action: "send.refused", actorId: device.id, target: allowed } })).not.toBeNull();
    expect((await db().device.findUniqueOrThrow({ where: { id: device.id } })).refusedCount).toBe(before.refusedCount + 1);
  });

  it("From policy rewrite: sent from the default mailbox, the original From kept as Reply-To", async () => {
    const d = await createDevice(env.tenantId, { name: "Old copier", grant: [shared], data: { fromPolicy: "rewrite", defaultFrom: shared } });
    const subject = `rewrite ${uniq()}`;
    await starttls(d).sendMail({ from: "copier@printers.local", to: allowed, subject, text: "x" });
    expect(await sendsOf(subject)).toEqual([expect.objectContaining({ fromAddress: shared, replyToAddresses: ["copier@printers.local"] })]);
  });

  it("a message over the device's size: 552 5.3.4 and nothing queued", async () => {
    const d = await createDevice(env.tenantId, { name: "Small", grant: [shared], data: { maxMessageBytes: 100_000 } });
    const subject = `big ${uniq()}`;
    const r = await refusal(starttls(d).sendMail({ from: shared, to: allowed, subject, text: "x", attachments: [{ filename: "a.bin", content: randomBytes(200_000) }] }));
    expect(r.code).toBe(552);
    expect(r.text).toMatch(/5\.3\.4/);
    expect(await sendsOf(subject)).toEqual([]);
    expect(await deviceFiles(d.id)).toEqual([]);
  });

  it("a device over its rate gets 451 4.7.1 with a retry hint", async () => {
    const d = await createDevice(env.tenantId, { name: "Chatty UPS", grant: [shared], data: { ratePerMinute: 2 } });
    const t = starttls(d);
    await t.sendMail({ from: shared, to: allowed, subject: `rate ${uniq()}`, text: "1" });
    await t.sendMail({ from: shared, to: allowed, subject: `rate ${uniq()}`, text: "2" });
    const r = await refusal(t.sendMail({ from: shared, to: allowed, subject: `rate ${uniq()}`, text: "3" }));
    expect(r).toMatchObject({ code: 451, text: expect.stringMatching(/4\.7\.1 .*2 messages a minute.*try again in \d+ second/) });
  });

  it("wrong passwords: 535 5.7.8, then rate-limited (454 4.7.0) even with the right password", async () => {
    const d = await createDevice(env.tenantId, { name: "Guessed", grant: [shared] });
    for (let i = 0; i < 10; i++) {
      const r = await refusal(starttls({ ...d, password: `wrong-${i}` }).sendMail({ from: shared, to: allowed, subject: "x", text: "x" }));
      expect(r).toMatchObject({ code: 535, text: expect.stringMatching(/5\.7\.8/) });
    }
    const r = await refusal(starttls(d).sendMail({ from: shared, to: allowed, subject: "x", text: "x" }));
    expect(r).toMatchObject({ code: 454, text: expect.stringMatching(/4\.7\.0 Too many failed AUTH attempts.*Try again in 15 minutes/) });
  });

  it("AUTH without TLS: 538 unless the device may use plaintext from its own address", async () => {
    const strict = await createDevice(env.tenantId, { name: "Strict", grant: [shared] });
    const r = await refusal(transport(relay.ports.starttls!, ca, { ignoreTLS: true, requireTLS: false, auth: { user: strict.username, pass: strict.password } }).sendMail({ from: shared, to: allowed, subject: "x", text: "x" }));
    expect(r).toMatchObject({ code: 538, text: expect.stringMatching(/5\.7\.11 Encryption required/) });
    const legacy = await createDevice(env.tenantId, { name: "Legacy fax", grant: [shared], data: { allowPlaintext: true, allowedIps: ["127.0.0.1/32"] } });
    const subject = `plaintext ${uniq()}`;
    await transport(relay.ports.starttls!, ca, { ignoreTLS: true, requireTLS: false, auth: { user: legacy.username, pass: legacy.password } }).sendMail({ from: shared, to: allowed, subject, text: "x" });
    expect(await sendsOf(subject)).toHaveLength(1);
    expect(await db().device.findUniqueOrThrow({ where: { id: legacy.id } })).toMatchObject({ lastTlsVersion: "none", lastAuthMethod: "PLAIN" });
    const elsewhere = await createDevice(env.tenantId, { name: "Elsewhere", grant: [shared], data: { allowedIps: ["10.0.0.0/8"] } });
    expect(await refusal(starttls(elsewhere).sendMail({ from: shared, to: allowed, subject: "x", text: "x" }))).toMatchObject({ code: 535, text: expect.stringMatching(/may not connect from 127\.0\.0\.1/) });
  });

  it("no AUTH: 530, unless an IP-only device is listed for the address; a revoked device is refused", async () => {
    const anon = transport(relay.ports.starttls!, ca, {});
    expect(await refusal(anon.sendMail({ from: shared, to: allowed, subject: "x", text: "x" }))).toMatchObject({ code: 530 });
    const ipOnly = await createDevice(env.tenantId, { name: "UPS", grant: [shared], data: { ipOnly: true, passwordHash: null, allowedIps: ["127.0.0.1/32"] } });
    try {
      const subject = `ip-only ${uniq()}`;
      await anon.sendMail({ from: shared, to: allowed, subject, text: "x" });
      expect(await sendsOf(subject)).toEqual([expect.objectContaining({ deviceId: ipOnly.id })]);
      expect(await db().device.findUniqueOrThrow({ where: { id: ipOnly.id } })).toMatchObject({ lastAuthMethod: "none (IP)", lastTlsVersion: "TLSv1.3" });
    } finally {
      await db().device.update({ where: { id: ipOnly.id }, data: { revokedAt: new Date() } });
    }
    expect(await refusal(anon.sendMail({ from: shared, to: allowed, subject: "x", text: "x" }))).toMatchObject({ code: 530 });
    const revoked = await createDevice(env.tenantId, { name: "Gone", grant: [shared], data: { revokedAt: new Date() } });
    expect(await refusal(starttls(revoked).sendMail({ from: shared, to: allowed, subject: "x", text: "x" }))).toMatchObject({ code: 535 });
  });

  it("many recipients (pipelined RCPTs), a long username and long lines are handled", async () => {
    const subject = `many ${uniq()}`;
    const bcc = Array.from({ length: 150 }, (_, i) => `r${i}@contoso.sandbox`);
    // A line of 5,000 characters (RFC 5321 says 1,000; devices do not always listen), sent as is.
    const raw = Buffer.from(`From: ${shared}\r\nTo: ${allowed}\r\nSubject: ${subject}\r\n\r\n${"x".repeat(5000)}\r\nend\r\n`);
    await starttls(device).sendMail({ envelope: { from: shared, to: [allowed, ...bcc] }, raw });
    const [s] = await sendsOf(subject);
    expect(s!.bccAddresses).toHaveLength(150);
    expect((await storedBytes(s!.mimeUploadId!)).toString()).toContain("x".repeat(5000));
    const long = await refusal(starttls({ ...device, username: "u".repeat(400) }).sendMail({ from: shared, to: allowed, subject: "x", text: "x" }));
    expect(long.code).toBe(535);
  });

  it("legacy profile: a TLS 1.0 client is refused at the default minimum and accepted with PORTAL_SMTP_MIN_TLS=TLSv1", async () => {
    const old = { minVersion: "TLSv1" as const, maxVersion: "TLSv1" as const, ciphers: "DEFAULT:@SECLEVEL=0", ca, servername: "localhost" };
    const r = await refusal(starttls(device, "PLAIN", { tls: old }).sendMail({ from: shared, to: allowed, subject: "x", text: "x" }));
    expect(r.text).toMatch(/protocol|version|handshake|alert/i);
    const legacy = await startRelay({ ...relayInfo(), port: 0, implicitTlsPort: null, minTls: "TLSv1" });
    try {
      const subject = `tls10 ${uniq()}`;
      await transport(legacy.ports.starttls!, ca, { auth: { user: device.username, pass: device.password }, tls: old }).sendMail({ from: shared, to: allowed, subject, text: "x" });
      expect(await sendsOf(subject)).toHaveLength(1);
      expect((await db().device.findUniqueOrThrow({ where: { id: device.id } })).lastTlsVersion).toBe("TLSv1");
    } finally {
      await legacy.close();
    }
    // The generated certificate names the relay's host and chains to the downloadable CA.
    const s = tls.connect({ host: "127.0.0.1", port: relay.ports.implicitTls!, ca, servername: "localhost" });
    await new Promise((res, rej) => s.once("secureConnect", res).once("error", rej));
    expect(s.authorized).toBe(true);
    s.destroy();
  });
});
