import { randomBytes } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { createProxy } from "proxy";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TestSandbox } from "m365-sandbox/helpers";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
import type * as DbModule from "@/lib/db";
import type * as QueueSendModule from "@/lib/sends/queue-send";
import type * as UploadModule from "@/lib/sends/upload-store";
import type * as ClaimModule from "@/lib/outbox/claim";
import type * as ProcessModule from "@/lib/outbox/process-send";
import type * as OptionsModule from "@/lib/outbox/options";
import type * as ProxyModule from "@/lib/net/proxy";
import type * as TokensModule from "@/lib/graph/tokens";
import type * as AccessModule from "@/lib/graph/tenant-access";

/**
 * Corporate proxy: a real CONNECT proxy (the `proxy` package, the one https-proxy-agent is tested with)
 * that counts its tunnels, the portal's environment with HTTPS_PROXY pointing at it, and the real outbox
 * sending through MSAL, the Graph SDK and an upload session to the sandbox tenant. Then NO_PROXY naming
 * the sandbox's hosts: the same sends go straight there, no tunnel opened. The sandbox's CA is trusted
 * through the tunnel (NODE_EXTRA_CA_CERTS, set by the global setup), since TLS is end to end.
 */
let sb: TestSandbox;
let env: PortalEnv;
let proxy: http.Server;
let proxyUrl: string;
const tunnels: string[] = [];
const actor = { id: "", name: "Proxy admin", email: "proxy-admin@example.com", role: "admin" as const, tenantId: null as string | null };
type Lib = {
  db: typeof DbModule.db;
  queueSend: typeof QueueSendModule.queueSend;
  saveUpload: typeof UploadModule.saveUpload;
  claimSends: typeof ClaimModule.claimSends;
  processSend: typeof ProcessModule.processSend;
  outboxOptions: typeof OptionsModule.outboxOptions;
  proxy: typeof ProxyModule;
  appToken: typeof TokensModule.appToken;
  loadTenantAccess: typeof AccessModule.loadTenantAccess;
};
let lib: Lib;

const PROXY_VARS = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"];
const saved = Object.fromEntries(PROXY_VARS.map((k) => [k, process.env[k]]));
function setProxyEnv(vars: Record<string, string>) {
  for (const k of PROXY_VARS) delete process.env[k];
  Object.assign(process.env, vars);
}

beforeAll(async () => {
  proxy = createProxy(http.createServer());
  // The proxy package answers CONNECT itself; this listener only records where each tunnel goes.
  proxy.on("connect", (req: http.IncomingMessage) => tunnels.push(String(req.url)));
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

  env = await startPortalEnv("proxy", { senders: (e) => [e.mailboxes.shared] });
  sb = env.sb;
  lib = {
    db: (await import("@/lib/db")).db,
    queueSend: (await import("@/lib/sends/queue-send")).queueSend,
    saveUpload: (await import("@/lib/sends/upload-store")).saveUpload,
    claimSends: (await import("@/lib/outbox/claim")).claimSends,
    processSend: (await import("@/lib/outbox/process-send")).processSend,
    outboxOptions: (await import("@/lib/outbox/options")).outboxOptions,
    proxy: await import("@/lib/net/proxy"),
    appToken: (await import("@/lib/graph/tokens")).appToken,
    loadTenantAccess: (await import("@/lib/graph/tenant-access")).loadTenantAccess,
  };
  actor.id = (await lib.db().user.create({ data: { email: actor.email, name: actor.name, role: "admin" } })).id;
  for (const m of await lib.db().senderMailbox.findMany({ where: { tenantId: env.tenantId } })) await lib.db().senderGrant.create({ data: { mailboxId: m.id, userId: actor.id } });
});

afterAll(async () => {
  setProxyEnv(Object.fromEntries(Object.entries(saved).filter((e): e is [string, string] => e[1] !== undefined)));
  await env?.close();
  await new Promise((r) => proxy?.close(r));
});

beforeEach(() => {
  tunnels.length = 0;
});

const hostOf = (u: string) => new URL(u).host;
/** The sandbox's hosts as CONNECT names them (host:port): login, Graph, and the upload-session host. */
const sandboxHosts = () => [hostOf(sb.endpoints.loginUrl), hostOf(sb.endpoints.graphUrl), hostOf(sb.endpoints.uploadUrl)];

/** Queues one message from the shared mailbox (with a 5 MB attachment: a draft and an upload session) and runs the outbox once. */
async function sendThroughOutbox(subject: string, attachmentBytes = 0) {
  const e = sb.endpoints;
  const attachments = [];
  if (attachmentBytes) {
    const bytes = randomBytes(attachmentBytes);
    const up = await lib.saveUpload({ ownerId: actor.id, name: "scan.pdf", contentType: "application/pdf", body: (async function* () { yield bytes; })() });
    attachments.push({ id: up.id });
  }
  const { id } = await lib.queueSend({ actor, tenantId: env.tenantId, mode: "app", from: e.mailboxes.shared, to: e.mailboxes.allowed, subject, body: "<p>through the proxy</p>", attachments });
  const o = lib.outboxOptions({ leaseMs: 60_000, timeoutMs: 45_000 });
  const claims = await lib.claimSends("w-proxy", { limit: 10, leaseMs: o.leaseMs, pace: o.pace, only: id });
  const results = await Promise.all(claims.map((c) => lib.processSend(c.id, c.lease, o)));
  const received = await sb.control<{ subject: string }[]>(`/messages?to=${encodeURIComponent(e.mailboxes.allowed)}&subject=${encodeURIComponent(subject)}`);
  return { results, received: received.json.filter((m) => m.subject === subject).length };
}

describe("outbound calls and the corporate proxy (HTTPS_PROXY / NO_PROXY)", () => {
  it("decides like curl: HTTPS_PROXY for https, NO_PROXY by host, port and subdomain", () => {
    setProxyEnv({ HTTPS_PROXY: "http://proxy.corp:3128", NO_PROXY: "localhost,.internal.corp,graph.example:8443" });
    expect(lib.proxy.proxyFor("https://login.microsoftonline.com/x")).toBe("http://proxy.corp:3128");
    expect(lib.proxy.proxyFor("https://localhost:8443/")).toBeNull();
    expect(lib.proxy.proxyFor("https://a.internal.corp/")).toBeNull();
    expect(lib.proxy.proxyFor("https://graph.example:8443/")).toBeNull();
    expect(lib.proxy.proxyFor("https://graph.example/")).toBe("http://proxy.corp:3128");
    // No HTTP_PROXY: plain http goes direct. Lower-case spelling wins, as curl reads it.
    expect(lib.proxy.proxyFor("http://example.com/")).toBeNull();
    setProxyEnv({ https_proxy: "http://lower:1", HTTPS_PROXY: "http://upper:2" });
    expect(lib.proxy.proxyFor("https://graph.microsoft.com/")).toBe("http://lower:1");
    setProxyEnv({});
    expect(lib.proxy.proxyFor("https://graph.microsoft.com/")).toBeNull();
  });

  it("with HTTPS_PROXY, the token, sendMail, the draft and the upload session all go through CONNECT tunnels to the sandbox", async () => {
    setProxyEnv({ HTTPS_PROXY: proxyUrl });
    const t = await lib.loadTenantAccess(env.tenantId);
    const { accessToken } = await lib.appToken(t, { skipCache: true });
    expect(accessToken.split(".")).toHaveLength(3);
    expect(tunnels).toContain(hostOf(sb.endpoints.loginUrl));

    const small = await sendThroughOutbox(`proxy small ${randomBytes(3).toString("hex")}`);
    expect(small).toEqual({ results: ["accepted"], received: 1 });
    const large = await sendThroughOutbox(`proxy large ${randomBytes(3).toString("hex")}`, 5 * 1024 * 1024);
    expect(large).toEqual({ results: ["accepted"], received: 1 });

    expect(tunnels.length).toBeGreaterThan(0);
    // Every tunnel went to a sandbox host, and each of the three hosts was reached through the proxy.
    expect(tunnels.every((target) => sandboxHosts().includes(target))).toBe(true);
    for (const h of sandboxHosts()) expect(tunnels).toContain(h);
  });

  it("Microsoft sign-in's openid-client agent tunnels too (discovery document)", async () => {
    setProxyEnv({ HTTPS_PROXY: proxyUrl });
    const url = `${sb.endpoints.loginUrl}/${sb.endpoints.tenant.id}/v2.0/.well-known/openid-configuration`;
    const agent = lib.proxy.proxyAwareAgent();
    const body = await new Promise<string>((resolve, reject) => {
      https.get(url, { agent }, (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (c: string) => (text += c)).on("end", () => resolve(text));
      }).on("error", reject);
    });
    expect(JSON.parse(body)).toMatchObject({ token_endpoint: expect.stringContaining(hostOf(sb.endpoints.loginUrl)) });
    expect(tunnels).toEqual([hostOf(sb.endpoints.loginUrl)]);
  });

  it("NO_PROXY naming the sandbox's hosts bypasses the proxy: the same sends open no tunnel", async () => {
    const names = [...new Set(sandboxHosts().map((h) => new URL(`https://${h}`).hostname))];
    setProxyEnv({ HTTPS_PROXY: proxyUrl, NO_PROXY: names.join(",") });
    const t = await lib.loadTenantAccess(env.tenantId);
    await lib.appToken(t, { skipCache: true });
    const large = await sendThroughOutbox(`direct large ${randomBytes(3).toString("hex")}`, 5 * 1024 * 1024);
    expect(large).toEqual({ results: ["accepted"], received: 1 });
    expect(tunnels).toEqual([]);
  });

  it("a proxy that is down: the token request fails with an explained AppError, not a crash", async () => {
    setProxyEnv({ HTTPS_PROXY: "http://127.0.0.1:9" });
    const t = await lib.loadTenantAccess(env.tenantId);
    await expect(lib.appToken(t, { skipCache: true })).rejects.toMatchObject({ name: "AppError" });
  });
});
