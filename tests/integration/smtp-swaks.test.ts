/**
 * The relay with a second, independent SMTP client: swaks (Debian's `swaks`, Perl, IO::Socket::SSL —
 * .ci/run installs both). It prints the whole dialogue, so the tests read the server's exact lines: the
 * `334 VXNlcm5hbWU6` / `334 UGFzc3dvcmQ6` ("Username:" / "Password:") prompts of AUTH LOGIN, the 250 with the
 * queued send's id, 550 5.7.1 for a sender the device may not use. The relay runs in this process, so
 * swaks runs asynchronously (execFile), never blocking the event loop the relay answers on.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
import { createDevice, type TestDevice } from "../support/smtp";
import type * as DbModule from "@/lib/db";
import type * as ServerModule from "@/lib/smtp/server";
import { storedBytes } from "../support/uploads";

let env: PortalEnv;
let db: typeof DbModule.db;
let relay: ServerModule.Relay;
let device: TestDevice;
let shared: string;
let allowed: string;

beforeAll(async () => {
  process.env.PORTAL_SMTP_PORT = "0";
  process.env.PORTAL_SMTP_BIND = "127.0.0.1";
  process.env.PORTAL_SMTP_HOSTNAME = "localhost";
  env = await startPortalEnv("smtp-swaks", { senders: (e) => [e.mailboxes.shared, e.mailboxes.allowed] });
  ({ shared, allowed } = env.sb.endpoints.mailboxes);
  db = (await import("@/lib/db")).db;
  const { startRelay } = await import("@/lib/smtp/server");
  const { relayInfo } = await import("@/lib/smtp/relay-info");
  relay = await startRelay({ ...relayInfo(), port: 0, implicitTlsPort: 0 });
  device = await createDevice(env.tenantId, { name: "swaks", grant: [shared], data: { ratePerMinute: 1000 } });
});

afterAll(async () => {
  await relay?.close();
  await env?.close();
});

beforeEach(async () => {
  await db().send.deleteMany({});
});

/** Runs swaks; resolves with its transcript and exit code (non-zero when the server refused). */
function swaks(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile("swaks", ["--server", "127.0.0.1", "--timeout", "60", ...args], { timeout: 120_000, maxBuffer: 10 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

const uniq = () => randomBytes(4).toString("hex");
const auth = (method: string) => ["--auth", method, "--auth-user", device.username, "--auth-password", device.password];

describe("SMTP relay with swaks", () => {
  it("STARTTLS + AUTH LOGIN shows the exact Username:/Password: prompts and queues the message", async () => {
    const subject = `swaks login ${uniq()}`;
    const r = await swaks(["--port", String(relay.ports.starttls), "--tls", ...auth("LOGIN"), "--from", shared, "--to", allowed, "--header", `Subject: ${subject}`, "--body", "From swaks."]);
    expect(r.out).toContain("334 VXNlcm5hbWU6");
    expect(r.out).toContain("334 UGFzc3dvcmQ6");
    expect(r.out).toMatch(/<~\s+250 2\.0\.0 Queued as (\w+)/);
    expect(r.code).toBe(0);
    const id = /Queued as (\w+)/.exec(r.out)![1]!;
    expect(await db().send.findUniqueOrThrow({ where: { id } })).toMatchObject({ subject, mode: "smtp", toAddresses: [allowed], deviceId: device.id });
  });

  it("implicit TLS + AUTH PLAIN, a Bcc given only in the envelope, a base64 attachment", async () => {
    const subject = `swaks plain ${uniq()}`;
    const r = await swaks([
      "--port", String(relay.ports.implicitTls), "--tls-on-connect", ...auth("PLAIN"), "--from", shared, "--to", `${allowed},hidden@contoso.sandbox`,
      "--header", `Subject: ${subject}`, "--header", `To: ${allowed}`, "--attach-type", "application/pdf", "--attach-name", "scan.pdf", "--attach", "@package.json",
    ]);
    expect(r.code, r.out).toBe(0);
    const s = await db().send.findFirstOrThrow({ where: { subject } });
    expect(s).toMatchObject({ toAddresses: [allowed], bccAddresses: ["hidden@contoso.sandbox"] });
    const stored = (await storedBytes(s.mimeUploadId!)).toString();
    expect(stored).toContain('name="scan.pdf"');
    expect(stored).not.toMatch(/^Bcc:/im);
  });

  it("a sender the device may not use: 550 5.7.1 and nothing queued", async () => {
    const subject = `swaks refused ${uniq()}`;
    const r = await swaks(["--port", String(relay.ports.starttls), "--tls", ...auth("PLAIN"), "--from", allowed, "--to", allowed, "--header", `Subject: ${subject}`]);
    expect(r.out).toMatch(/<~?\*+\s+550 5\.7\.1 .*may not send as/);
    expect(r.code).not.toBe(0);
    expect(await db().send.count({ where: { subject } })).toBe(0);
  });

  it("AUTH before STARTTLS is refused with 538, and a wrong password with 535", async () => {
    const plain = await swaks(["--port", String(relay.ports.starttls), ...auth("LOGIN"), "--from", shared, "--to", allowed]);
    expect(plain.out).toMatch(/538 5\.7\.11 Encryption required/);
    const wrong = await swaks(["--port", String(relay.ports.starttls), "--tls", "--auth", "PLAIN", "--auth-user", device.username, "--auth-password", "nope", "--from", shared, "--to", allowed]);
    expect(wrong.out).toMatch(/535 5\.7\.8 Authentication credentials invalid/);
  });
});
