/**
 * The relay when the portal cannot queue: the database goes away (a TCP proxy in front of PostgreSQL that
 * the test cuts). A device then gets a temporary answer — 454 4.7.0 at AUTH, 451 4.3.0 on a connection that
 * had already authenticated — never a 250 and never a 5xx, and nothing is queued; once the database is
 * back, the same device's next message is queued with 250.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
import { createDevice, refusal, transport, type TestDevice } from "../support/smtp";
import type * as DbModule from "@/lib/db";
import type * as ServerModule from "@/lib/smtp/server";

let env: PortalEnv;
let db: typeof DbModule.db;
let relay: ServerModule.Relay;
let ca: string;
let device: TestDevice;
let proxy: Server;
let up = true;
const sockets = new Set<Socket>();

beforeAll(async () => {
  proxy = createServer((client) => {
    if (!up) return client.destroy();
    const server = createConnection({ host: "127.0.0.1", port: 5432 });
    for (const s of [client, server]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined);
    }
    client.pipe(server).pipe(client);
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
  const port = (proxy.address() as { port: number }).port;
  process.env.PORTAL_SMTP_PORT = "0";
  process.env.PORTAL_SMTP_BIND = "127.0.0.1";
  process.env.PORTAL_SMTP_HOSTNAME = "localhost";
  env = await startPortalEnv("smtp-db-down", { senders: (e) => [e.mailboxes.shared, e.mailboxes.allowed], databaseUrl: (url) => Object.assign(new URL(url), { port: String(port) }).toString() });
  db = (await import("@/lib/db")).db;
  const { startRelay } = await import("@/lib/smtp/server");
  const { relayInfo } = await import("@/lib/smtp/relay-info");
  relay = await startRelay({ ...relayInfo(), port: 0, implicitTlsPort: null });
  ca = readFileSync(relay.caFile!, "utf8");
  device = await createDevice(env.tenantId, { name: "Scanner", grant: [env.sb.endpoints.mailboxes.shared], data: { ratePerMinute: 1000 } });
});

afterAll(async () => {
  up = true;
  await relay?.close();
  await env?.close();
  proxy?.close();
});

const cut = () => {
  up = false;
  for (const s of sockets) s.destroy();
};

describe("database down", () => {
  it("451/454 with a retry hint while the database is away, nothing queued; 250 again once it is back", async () => {
    const { shared, allowed } = env.sb.endpoints.mailboxes;
    const subject = (s: string) => `db-down ${s} ${randomBytes(3).toString("hex")}`;
    // One authenticated connection kept open (a pool of one), as a busy device keeps its session.
    const pooled = transport(relay.ports.starttls!, ca, { pool: true, maxConnections: 1, auth: { user: device.username, pass: device.password } });
    const before = subject("before");
    await pooled.sendMail({ from: shared, to: allowed, subject: before, text: "x" });

    cut();
    const during = subject("during");
    const onSession = await refusal(pooled.sendMail({ from: shared, to: allowed, subject: during, text: "x" }));
    expect(onSession).toMatchObject({ code: 451, text: expect.stringMatching(/4\.3\.0 .*database is unavailable.*try again/) });
    const atAuth = await refusal(transport(relay.ports.starttls!, ca, { auth: { user: device.username, pass: device.password } }).sendMail({ from: shared, to: allowed, subject: during, text: "x" }));
    expect(atAuth).toMatchObject({ code: 454, text: expect.stringMatching(/4\.7\.0 Temporary authentication failure/) });
    pooled.close();

    up = true;
    const after = subject("after");
    const info = await transport(relay.ports.starttls!, ca, { auth: { user: device.username, pass: device.password } }).sendMail({ from: shared, to: allowed, subject: after, text: "x" });
    expect(info.response).toMatch(/^250 /);
    const subjects = (await db().send.findMany({ select: { subject: true } })).map((s) => s.subject).sort();
    expect(subjects).toEqual([after, before].sort());
  });
});
