/**
 * Durable before 250: the portal's services run in a real process of their own (scripts/portal-services.ts,
 * which runs lib/startup.ts as the Next server does — the SMTP relay and the outbox worker). A device sends
 * a message; the moment it has its 250 the process is killed with SIGKILL. The message must already be a
 * committed Send with its stored MIME; a restarted portal process then delivers it to the sandbox, once.
 * The first process runs no outbox worker (PORTAL_OUTBOX_WORKER_CONCURRENCY=0), so the delivery can
 * only come from what was durable when 250 was said.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
import { createDevice, transport, type TestDevice } from "../support/smtp";
import { uploadStored } from "../support/uploads";
import type * as DbModule from "@/lib/db";

let env: PortalEnv;
let db: typeof DbModule.db;
let device: TestDevice;
let port: number;
const children: ChildProcess[] = [];

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const p = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return p;
}

/** scripts/portal-services.ts against the test database, resolved once its relay listens. */
async function startPortal(extra: Record<string, string> = {}): Promise<ChildProcess> {
  const c = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/portal-services.ts"], {
    cwd: process.cwd(),
    // The "SMTP relay listening" line this waits for is an info line of the JSON log.
    env: { ...process.env, PORTAL_LOG_LEVEL: "info", PORTAL_SMTP_PORT: String(port), PORTAL_SMTP_BIND: "127.0.0.1", PORTAL_SMTP_HOSTNAME: "localhost", ...extra },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(c);
  let out = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`portal did not start: ${out}`)), 90_000);
    const check = (d: Buffer) => {
      out += d.toString();
      if (out.includes("SMTP relay listening")) {
        clearTimeout(timer);
        resolve();
      }
    };
    c.stdout!.on("data", check);
    c.stderr!.on("data", check);
    c.once("exit", (code) => reject(new Error(`portal exited (${code}): ${out}`)));
  });
  return c;
}

beforeAll(async () => {
  env = await startPortalEnv("smtp-durable", { senders: (e) => [e.mailboxes.shared, e.mailboxes.allowed] });
  db = (await import("@/lib/db")).db;
  device = await createDevice(env.tenantId, { name: "Durable scanner", grant: [env.sb.endpoints.mailboxes.shared] });
  port = await freePort();
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await env?.close();
});

describe("durable before 250", () => {
  it("a message accepted with 250 and the portal killed with SIGKILL right after is sent after restart, once", async () => {
    const { shared, allowed } = env.sb.endpoints.mailboxes;
    const first = await startPortal({ PORTAL_OUTBOX_WORKER_CONCURRENCY: "0" });
    const ca = readFileSync(path.join(env.dataDir, "smtp", "ca.pem"), "utf8");
    const subject = `durable ${randomBytes(4).toString("hex")}`;
    const info = await transport(port, ca, { auth: { user: device.username, pass: device.password } }).sendMail({ from: shared, to: allowed, subject, text: "Sent before the crash." });
    first.kill("SIGKILL");
    expect(info.response).toMatch(/^250 /);
    await new Promise((r) => (first.exitCode === null && first.signalCode === null ? first.once("exit", r) : r(null)));
    expect(first.signalCode).toBe("SIGKILL");

    const queued = await db().send.findFirstOrThrow({ where: { subject } });
    expect(queued).toMatchObject({ status: "queued", mode: "smtp", deviceId: device.id });
    // The message's bytes were in the database (lib/uploads) before the 250.
    expect(await uploadStored(queued.mimeUploadId!)).toBe(true);

    const second = await startPortal();
    let status = "";
    for (let i = 0; i < 600 && !["accepted", "failed", "uncertain"].includes(status); i++) {
      await sleep(250);
      status = (await db().send.findUniqueOrThrow({ where: { id: queued.id } })).status;
    }
    second.kill("SIGTERM");
    expect(status).toBe("accepted");
    const copies = (await env.sb.control<{ subject: string; mailbox: string }[]>(`/messages?subject=${encodeURIComponent(subject)}&folder=inbox`)).json.filter((m) => m.subject === subject);
    expect(copies.map((m) => m.mailbox.toLowerCase())).toEqual([allowed.toLowerCase()]);
  });
});
