/**
 * `npm run bench:attachment`: a 150 MB attachment sent through the portal to the sandbox tenant.
 *   - extra peak RSS of the portal's processes while the file is uploaded to the portal and sent on to
 *     Graph (goal ≤ 64 MB: both legs stream from/to disk in ≤ 4 MB ranges);
 *   - throughput of the Graph leg (send queued → accepted: draft, upload session, 3.75 MiB PUTs, send)
 *     as a ratio to a raw loopback run of the same calls with the same bytes, measured in this run
 *     (goal ≥ 0.8).
 * It starts its own sandbox and portal (scripts/start.ts, PORTAL_SANDBOX=off + a tenants file, as demo
 * mode connects them) on free ports with a throwaway database on 127.0.0.1:5432, and prints JSON.
 * BENCH_SANDBOX_ROOT runs the sandbox from another checkout; NEXT_DIST_DIR reuses a build.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, hkdfSync, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, readFileSync } from "node:fs";
import { mkdir, open, readFile, rm, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { encode } from "next-auth/jwt";
import pg from "pg";

const SIZE = 150 * 1024 * 1024;
const RANGE = 12 * 320 * 1024;
const root = process.cwd();
const work = path.join(tmpdir(), `gmp-bench-attachment-${process.pid}`);
const dbName = `gmp_bench_attachment_${process.pid}`;
const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const children: ChildProcess[] = [];
let ca = "";

function port(base: number) {
  return base + (process.pid % 500);
}

type Res = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

function call(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer | NodeJS.ReadableStream } = {}): Promise<Res> {
  const u = new URL(url);
  const req = (u.protocol === "https:" ? httpsRequest : httpRequest)(u, { method: opts.method ?? "GET", headers: opts.headers, ...(u.protocol === "https:" ? { ca } : {}) });
  return new Promise((resolve, reject) => {
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    const b = opts.body;
    if (b && typeof b === "object" && "pipe" in b) (b as NodeJS.ReadableStream).pipe(req);
    else req.end(b);
  });
}

async function rssOfTree(pid: number): Promise<number> {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    const kids = await readFile(`/proc/${pids[i]}/task/${pids[i]}/children`, "utf8").catch(() => "");
    pids.push(...kids.split(/\s+/).filter(Boolean).map(Number));
  }
  let total = 0;
  for (const p of pids.slice(1)) {
    const st = await readFile(`/proc/${p}/status`, "utf8").catch(() => "");
    total += Number(/VmRSS:\s+(\d+)/.exec(st)?.[1] ?? 0) * 1024;
  }
  return total;
}

async function main() {
  await mkdir(work, { recursive: true });
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database "${dbName}"`);
  await admin.end();
  const dbUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();

  // The sandbox, in its own process.
  const sbDir = path.join(work, "sandbox");
  const sbRoot = process.env.BENCH_SANDBOX_ROOT ?? root;
  const portalPort = port(3600);
  const sbEnv = { ...process.env, SANDBOX_DATA_DIR: sbDir, SANDBOX_LOGIN_PORT: String(port(19000)), SANDBOX_GRAPH_PORT: String(port(19600)), SANDBOX_UPLOAD_PORT: String(port(20200)), SANDBOX_REDIRECT_URIS: `http://localhost:${portalPort}/api/auth/callback/microsoft` };
  children.push(spawn(process.execPath, ["--import", "tsx", "sandbox/src/main.ts"], { cwd: sbRoot, env: sbEnv, stdio: ["ignore", "ignore", "inherit"] }));
  const endpointsFile = path.join(sbDir, "endpoints.json");
  for (let i = 0; !existsSync(endpointsFile); i++) {
    if (i > 300) throw new Error("the sandbox did not start");
    await new Promise((r) => setTimeout(r, 200));
  }
  const e = JSON.parse(readFileSync(endpointsFile, "utf8")) as { loginUrl: string; graphUrl: string; caFile: string; tenant: { id: string; domain: string }; app: { clientId: string; clientSecret: string }; mailboxes: { shared: string; allowed: string } };
  ca = readFileSync(e.caFile, "utf8");
  // A sender whose MaxSendSize admits 150 MB (Exchange's default is 35 MB; admins raise it to 150 MB).
  const sender = `bench.sender@${e.tenant.domain}`;
  const seeded = await call(`${e.loginUrl}/_sandbox/seed`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({
    users: [{ userPrincipalName: sender, displayName: "Bench Sender", mailbox: { kind: "user", maxSendSize: SIZE + 16 * 1024 * 1024 } }],
    accessPolicies: [{ appId: e.app.clientId, accessRight: "RestrictAccess", scope: sender }],
  }) });
  if (seeded.status !== 201) throw new Error(`seeding the sandbox failed: ${seeded.status} ${seeded.body}`);

  // The portal, connected to it by configuration.
  const dataDir = path.join(work, "portal");
  await mkdir(dataDir, { recursive: true });
  const bundle = path.join(dataDir, "ca-bundle.pem");
  await writeFile(bundle, `${existsSync("/etc/ssl/certs/ca-certificates.crt") ? readFileSync("/etc/ssl/certs/ca-certificates.crt", "utf8") : ""}\n${ca}`);
  const tenantsFile = path.join(dataDir, "tenants.json");
  await writeFile(tenantsFile, JSON.stringify({ tenants: [{ name: "Bench", cloud: "sandbox", directoryId: e.tenant.id, loginUrl: e.loginUrl, graphUrl: e.graphUrl, clientId: e.app.clientId, clientSecret: e.app.clientSecret, senders: [sender] }] }));
  const secretKey = randomBytes(32).toString("hex");
  const portal = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: root,
    env: { ...process.env, PORT: String(portalPort), PORTAL_URL: `http://localhost:${portalPort}`, DATABASE_URL: dbUrl, PORTAL_DATA_DIR: dataDir, PORTAL_SECRET_KEY: secretKey, PORTAL_SANDBOX: "off", PORTAL_TENANTS_FILE: tenantsFile, NODE_EXTRA_CA_CERTS: bundle, NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  children.push(portal);
  const base = `http://localhost:${portalPort}`;
  for (let i = 0; ; i++) {
    if (i > 600) throw new Error("the portal did not start");
    if ((await call(`${base}/api/health`).catch(() => ({ status: 0 }))).status === 200) break;
    await new Promise((r) => setTimeout(r, 500));
  }

  // A signed-in admin: a session cookie as next-auth issues it (same derived secret as lib/crypto.ts).
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  await db.query(`INSERT INTO "User" (id, email, name, role, "updatedAt") VALUES ('bench-admin', 'bench@example.com', 'Bench', 'admin', now())`);
  const tenantId = (await db.query<{ id: string }>(`SELECT id FROM "Tenant" WHERE name = 'Bench'`)).rows[0]!.id;
  // Admins are granted nothing implicitly: the bench admin is granted the tenant's sender mailboxes.
  await db.query(`INSERT INTO "SenderGrant" (id, "mailboxId", "userId") SELECT 'bench-' || id, id, 'bench-admin' FROM "SenderMailbox" WHERE "tenantId" = $1`, [tenantId]);
  await db.end();
  const secret = Buffer.from(hkdfSync("sha256", Buffer.from(secretKey, "hex"), Buffer.alloc(0), "graph-mail-portal:next-auth", 32)).toString("base64url");
  const cookie = `next-auth.session-token=${await encode({ token: { uid: "bench-admin", sub: "bench-admin", sv: 0 }, secret })}`;
  // Route handlers refuse cross-site writes: the bench's requests come from the portal's own origin.
  const origin = base;

  // 150 MB of random bytes on disk.
  const file = path.join(work, "attachment.bin");
  const hash = createHash("sha256");
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(file);
    out.on("error", reject).on("finish", resolve);
    let left = SIZE;
    const write = () => {
      while (left > 0) {
        const chunk = randomBytes(Math.min(4 << 20, left));
        left -= chunk.length;
        hash.update(chunk);
        if (!out.write(chunk)) return void out.once("drain", write);
      }
      out.end();
    };
    write();
  });
  const sha256 = hash.digest("hex");

  // Baseline: the same Graph calls straight from this process over loopback.
  const tok = await call(`${e.loginUrl}/${e.tenant.id}/oauth2/v2.0/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ client_id: e.app.clientId, client_secret: e.app.clientSecret, grant_type: "client_credentials", scope: "https://graph.microsoft.com/.default" }).toString() });
  const auth = { authorization: `Bearer ${(JSON.parse(tok.body) as { access_token: string }).access_token}`, "content-type": "application/json" };
  const g = `${e.graphUrl}/v1.0/users/${encodeURIComponent(sender)}`;
  const rawStart = performance.now();
  const must = (r: Res, what: string) => {
    if (r.status >= 300) throw new Error(`raw ${what}: HTTP ${r.status} ${r.body}`);
    return JSON.parse(r.body) as Record<string, string>;
  };
  const draft = must(await call(`${g}/messages`, { method: "POST", headers: auth, body: JSON.stringify({ subject: "raw baseline", body: { contentType: "Text", content: "raw" }, toRecipients: [{ emailAddress: { address: e.mailboxes.allowed } }] }) }), "draft") as { id: string };
  const sess = must(await call(`${g}/messages/${encodeURIComponent(draft.id)}/attachments/createUploadSession`, { method: "POST", headers: auth, body: JSON.stringify({ AttachmentItem: { attachmentType: "file", name: "raw.bin", size: SIZE } }) }), "createUploadSession") as { uploadUrl: string };
  const fh = await open(file, "r");
  for (let off = 0; off < SIZE; off += RANGE) {
    const len = Math.min(RANGE, SIZE - off);
    const buf = Buffer.allocUnsafe(len);
    await fh.read(buf, 0, len, off);
    const r = await call(sess.uploadUrl, { method: "PUT", headers: { "content-range": `bytes ${off}-${off + len - 1}/${SIZE}`, "content-length": String(len), "content-type": "application/octet-stream" }, body: buf });
    if (r.status >= 300) throw new Error(`raw PUT failed: ${r.status} ${r.body}`);
  }
  await fh.close();
  const sent = await call(`${g}/messages/${encodeURIComponent(draft.id)}/send`, { method: "POST", headers: auth, body: "" });
  if (sent.status !== 202) throw new Error(`raw send failed: ${sent.status}`);
  const rawSeconds = (performance.now() - rawStart) / 1000;

  // Warm-up: one 4 MB send through the same path (upload route, outbox, MSAL, upload session), so the
  // baseline already holds the code and connections every send needs and the peak measures the 150 MB file.
  const warmFile = path.join(work, "warm.bin");
  await writeFile(warmFile, randomBytes(4 << 20));
  const warmUp = await call(`${base}/api/uploads?name=warm.bin`, { method: "POST", headers: { cookie, origin, "content-type": "application/octet-stream", "content-length": String(4 << 20) }, body: createReadStream(warmFile) });
  if (warmUp.status !== 201) throw new Error(`warm-up upload failed: ${warmUp.status} ${warmUp.body}`);
  const warmSend = await call(`${base}/api/sends`, { method: "POST", headers: { cookie, origin, "content-type": "application/json" }, body: JSON.stringify({ tenantId, mode: "app", from: sender, to: e.mailboxes.allowed, subject: "bench warm-up", body: "warm", attachments: [{ id: (JSON.parse(warmUp.body) as { id: string }).id }] }) });
  if (warmSend.status !== 201) throw new Error(`warm-up send refused: ${warmSend.status} ${warmSend.body}`);
  const warmId = (JSON.parse(warmSend.body) as { id: string }).id;
  for (let st = "queued"; !["accepted", "failed", "uncertain"].includes(st); ) {
    await new Promise((r) => setTimeout(r, 50));
    st = (JSON.parse((await call(`${base}/api/sends/${warmId}`, { headers: { cookie } })).body) as { status: string }).status;
  }

  // Through the portal, sampling the portal's RSS all along.
  await new Promise((r) => setTimeout(r, 1000));
  const idle: number[] = [];
  for (let i = 0; i < 10; i++) {
    idle.push(await rssOfTree(portal.pid!));
    await new Promise((r) => setTimeout(r, 50));
  }
  const baseline = idle.sort((a, b) => a - b)[5]!;
  let peak = baseline;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await rssOfTree(portal.pid!));
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const upStart = performance.now();
  const up = await call(`${base}/api/uploads?name=big.bin`, { method: "POST", headers: { cookie, origin, "content-type": "application/octet-stream", "content-length": String(SIZE) }, body: createReadStream(file) });
  const uploadSeconds = (performance.now() - upStart) / 1000;
  if (up.status !== 201) throw new Error(`upload to the portal failed: ${up.status} ${up.body}`);
  const uploaded = JSON.parse(up.body) as { id: string; sha256: string };
  const peakAfterUpload = peak;
  peak = baseline;
  const sendStart = performance.now();
  const created = await call(`${base}/api/sends`, { method: "POST", headers: { cookie, origin, "content-type": "application/json" }, body: JSON.stringify({ tenantId, mode: "app", from: sender, to: e.mailboxes.allowed, subject: "bench 150 MB", body: "bench", attachments: [{ id: uploaded.id }] }) });
  if (created.status !== 201) throw new Error(`send refused: ${created.status} ${created.body}`);
  const sendId = (JSON.parse(created.body) as { id: string }).id;
  let status = "queued";
  while (!["accepted", "failed", "uncertain"].includes(status)) {
    await new Promise((r) => setTimeout(r, 50));
    status = (JSON.parse((await call(`${base}/api/sends/${sendId}`, { headers: { cookie } })).body) as { status: string }).status;
  }
  const graphSeconds = (performance.now() - sendStart) / 1000;
  sampling = false;
  await sampler;
  if (status !== "accepted") throw new Error(`the portal's send ended ${status}`);
  const msgs = JSON.parse((await call(`${e.loginUrl}/_sandbox/messages?to=${encodeURIComponent(e.mailboxes.allowed)}&subject=${encodeURIComponent("bench 150 MB")}`)).body) as { attachments: { sha256: string }[] }[];
  // Where the Graph leg's time went: each logged Graph call of the send.
  const dbc = new pg.Client({ connectionString: dbUrl });
  await dbc.connect();
  const attempts = (await dbc.query<{ operation: string | null; durationMs: number | null }>(`SELECT operation, "durationMs" FROM "SendAttempt" WHERE "sendId" = $1 ORDER BY number`, [sendId])).rows;
  await dbc.end();
  const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;
  const rawMBps = SIZE / 1024 / 1024 / rawSeconds;
  const portalMBps = SIZE / 1024 / 1024 / graphSeconds;
  console.log(JSON.stringify({
    bench: "attachment",
    attachmentBytes: SIZE,
    bytesIdentical: uploaded.sha256 === sha256 && msgs[0]?.attachments[0]?.sha256 === sha256,
    portal: {
      baselineRssMB: mb(baseline),
      peakRssMB: mb(Math.max(peak, peakAfterUpload)),
      extraPeakRssMB: mb(Math.max(peak, peakAfterUpload) - baseline),
      extraPeakRssByStageMB: { uploadToPortal: mb(peakAfterUpload - baseline), graphLeg: mb(peak - baseline) },
      goalExtraPeakRssMB: 64,
      uploadToPortalSeconds: Math.round(uploadSeconds * 100) / 100,
      uploadToPortalMBps: Math.round((SIZE / 1024 / 1024 / uploadSeconds) * 10) / 10,
      graphLegSeconds: Math.round(graphSeconds * 100) / 100,
      graphLegMBps: Math.round(portalMBps * 10) / 10,
      graphCallsMs: attempts.map((a) => `${a.operation ?? "?"}: ${a.durationMs ?? "?"}`),
    },
    baseline: { rawLoopbackSeconds: Math.round(rawSeconds * 100) / 100, rawLoopbackMBps: Math.round(rawMBps * 10) / 10 },
    ratios: { throughputVsRaw: Math.round((portalMBps / rawMBps) * 100) / 100, goalThroughputVsRaw: 0.8, endToEndVsRaw: Math.round(((SIZE / 1024 / 1024 / (uploadSeconds + graphSeconds)) / rawMBps) * 100) / 100 },
  }, null, 2));
}

async function cleanup() {
  for (const c of children.reverse()) if (c.exitCode === null) c.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 1500));
  await rm(work, { recursive: true, force: true });
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect().then(() => admin.query(`drop database if exists "${dbName}" with (force)`)).finally(() => admin.end());
}

main()
  .then(cleanup, async (err: unknown) => {
    console.error(err);
    await cleanup();
    process.exitCode = 1;
  });

