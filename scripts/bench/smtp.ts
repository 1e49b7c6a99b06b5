/**
 * `npm run bench:smtp`: the SMTP relay under load on loopback. 20 devices, each on its own connection
 * (STARTTLS + AUTH PLAIN), send BENCH_SMTP_MESSAGES (default 1,000) messages together, in three runs of
 * the same shape, each against a fresh process:
 *   1. baseline — a plain smtp-server that discards (scripts/bench/smtp-discard.ts), mixed sizes;
 *   2. the portal's relay (scripts/portal-services.ts: lib/startup.ts as the Next server runs it) with
 *      1 KB messages;
 *   3. the relay with mixed sizes, 1 KB – 10 MB (log-uniform: as many small notes as large scans).
 * The relay runs without an outbox worker while it is measured (PORTAL_OUTBOX_WORKER_CONCURRENCY=0), so
 * its memory is the relay's own; then outbox workers (scripts/outbox/worker.ts) drain run 3 to the sandbox
 * (in its own process, its clock at real speed: BENCH_SMTP_SPEED below) and every message must be in its recipient's
 * inbox exactly once. Figures: messages accepted per second and p50/p99 time to 250 as ratios to the
 * baseline; peak RSS growth of each process (VmHWM, reset through /proc/<pid>/clear_refs when the load
 * starts, over the RSS after the warm-up and a full GC) — for the relay under 64 MB and no larger for
 * 10 MB messages than for 1 KB ones (within 32 MB) — and, to tell garbage V8 had not collected yet from
 * memory still held, the RSS after a full GC once the load is over (the measured processes run with
 * --expose-gc and scripts/bench/gc-on-signal.ts: SIGUSR2 collects; nothing collects during the load).
 * Every figure is printed with its ratio to the discarding baseline's; one goal line covers them all.
 *
 * What is judged, and why not the ratios to the discarding baseline. That server only decrypts and drops:
 * its rate is pure CPU, so on a 2-core machine it swings with whatever else runs (54 to 143 msg/s across
 * runs here), while the relay must also write every byte durably into PostgreSQL before its 250 (WAL and
 * table: twice) — the same relay code measured 0.25× the baseline on a busy machine and 0.20× on a quiet
 * one. The ratios are printed for context; the goals are the product's own:
 *  - throughput: the relay accepts mixed messages at least twice as fast as Exchange Online lets those
 *    mailboxes send (30 messages a minute each: learn.microsoft.com/office365/servicedescriptions/
 *    exchange-online-service-description/exchange-online-limits#sending-limits), so it is never the
 *    bottleneck and absorbs bursts;
 *  - time to 250: p50 under 1 s and p99 under 5 s, far inside the 10 minutes RFC 5321 §4.5.3.2.6 gives
 *    a client to wait for the reply to its final dot;
 *  - memory: peak growth under 64 MB and independent of size (the goal), and after a full GC no
 *    more than the discarding smtp-server itself keeps (+ 16 MB): what smtp-server and TLS hold after 20
 *    connections (32–41 MB measured for the baseline) is not the relay's.
 *
 * The measured processes run with the heap limit `npm start` gives the portal (PORTAL_MAX_HEAP_MB, default
 * 1024 MB: scripts/start/heap.ts says why). With Node's default limit on this 23 GB machine (4 GB), V8 let
 * the relay's old generation grow to 4× its live size before a full collection, and the mixed run's peak
 * was 87–98 MB of mostly garbage (after a full GC: 33–52 MB); the same code under 1024 MB peaked at 22–36 MB.
 * Each device first sends one
 * untimed 1 KB message (warm-up). The drain gives Graph calls 10 minutes (a loaded machine is slow, and a
 * timed-out send is `uncertain`, never resent) so that exactly-once is what is measured.
 *   node --conditions=react-server --import tsx scripts/bench/smtp.ts
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import nodemailer from "nodemailer";
import pg from "pg";
import { makeCall, pct, sleep, type SandboxEndpoints } from "./harness";
import { sandboxBin } from "../start/sandbox";
import { heapArgs } from "../start/heap";
import { migrate } from "../start/migrate";

const N = Number(process.env.BENCH_SMTP_MESSAGES ?? 1000);
const DEVICES = 20;
// The sandbox's clock runs at real speed by default: sped up (×10), Microsoft's one-hour tokens expire in six
// real minutes while the portal's token cache counts real time, and a long drain then fails sends with
// 401 InvalidAuthenticationToken (206 of 1,000 at ×10) — a property of the time warp, not of the relay.
// Pacing (30 a minute per mailbox) does not bind here: 20 mailboxes share the messages.
const SPEED = Number(process.env.BENCH_SMTP_SPEED ?? 1);
const MB = 1024 * 1024;
const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const children: ChildProcess[] = [];

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const p = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return p;
}

function start(script: string, env: NodeJS.ProcessEnv, ready: string): Promise<ChildProcess> {
  // BENCH_NODE_ARGS: extra flags for the measured processes (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
  const extra = process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  // The heap limit `npm start` gives the portal (scripts/start/heap.ts), for the baseline too; BENCH_NODE_ARGS may set its own.
  const heap = extra.some((a) => a.startsWith("--max-old-space-size")) ? [] : heapArgs(process.env);
  const c = spawn(process.execPath, ["--expose-gc", ...heap, ...extra, "--conditions=react-server", "--import", "tsx", "--import", "./scripts/bench/gc-on-signal.ts", script], { cwd: process.cwd(), env, stdio: ["ignore", "pipe", "pipe"] });
  children.push(c);
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start: ${out}`)), 120_000);
    const on = (d: Buffer) => {
      out = (out + d.toString()).slice(-4000);
      if (out.includes(ready)) {
        clearTimeout(timer);
        resolve(c);
      }
    };
    c.stdout!.on("data", (d: Buffer) => {
      on(d);
      if (process.env.BENCH_VERBOSE) process.stderr.write(d);
    });
    c.stderr!.on("data", (d: Buffer) => {
      on(d);
      if (process.env.BENCH_VERBOSE) process.stderr.write(d);
    });
    c.once("exit", (code) => reject(new Error(`${script} exited (${code}): ${out}`)));
  });
}

async function stop(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  c.kill("SIGTERM");
  await Promise.race([new Promise((r) => c.once("exit", r)), sleep(10_000)]);
  if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
}

const status = async (pid: number, field: "VmRSS" | "VmHWM") => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(await readFile(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024;

/** Each run's raw figures as soon as it is measured (a long drain on a loaded machine may be cut short). */
function progress(label: string, r: RunResult): void {
  const mb = (b: number) => `${(b / MB).toFixed(1)} MB`;
  console.log(`  measured ${label}: ${r.perSecond.toFixed(1)} msg/s, p50 ${r.p50.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms, peak RSS growth ${mb(r.growth)}, after a full GC ${mb(r.retained)}, ${r.failures.length} refused`);
}

/** A full GC in a measured process (gc-on-signal.ts), then a moment for the RSS to settle. */
async function collect(pid: number): Promise<void> {
  process.kill(pid, "SIGUSR2");
  await sleep(1500);
}

/** Log-uniform between 1 KB and 10 MB (seeded by the index, so runs compare like with like). */
function mixedSize(i: number): number {
  const x = ((i * 2654435761) % 4294967296) / 4294967296;
  return Math.round(1024 * Math.exp(x * Math.log((10 * MB) / 1024)));
}

// One random block, base64-encoded once: each message's attachment is a slice of it (the client's cost stays small).
const BLOCK = randomBytes(10 * MB).toString("base64").replace(/.{76}/g, "$&\r\n");

function message(i: number, bytes: number, from: string, to: string, subject: string): Buffer {
  const b64Len = Math.ceil(bytes / 3) * 4;
  const body = BLOCK.slice(0, b64Len + Math.floor(b64Len / 76) * 2);
  const boundary = `b${i}x`;
  return Buffer.from(
    `From: Device <${from}>\r\nTo: ${to}\r\nSubject: ${subject}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n` +
      `--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nScan ${i}.\r\n` +
      `--${boundary}\r\nContent-Type: application/pdf; name="scan${i}.pdf"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="scan${i}.pdf"\r\n\r\n${body}\r\n--${boundary}--\r\n`,
  );
}

interface Device {
  username: string;
  password: string;
  mailbox: string;
}

interface RunResult {
  perSecond: number;
  p50: number;
  p99: number;
  growth: number;
  retained: number;
  subjects: { subject: string; to: string }[];
  failures: string[];
}

async function run(label: string, port: number, ca: string, devices: Device[], size: (i: number) => number, pid: number | null): Promise<RunResult> {
  const times: number[] = [];
  const subjects: { subject: string; to: string }[] = [];
  const failures: string[] = [];
  let next = 0;
  const transports = devices.map((d) => nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, requireTLS: true, pool: true, maxConnections: 1, maxMessages: Infinity, tls: { ca, servername: "localhost" }, auth: { user: d.username, pass: d.password, method: "PLAIN" }, socketTimeout: 300_000 }));
  // Warm-up, not timed: each device connects, authenticates and sends one 1 KB message (the process's first use of its code paths).
  await Promise.all(devices.map((d, k) => transports[k]!.sendMail({ envelope: { from: d.mailbox, to: [d.mailbox] }, raw: message(-1 - k, 1024, d.mailbox, d.mailbox, `bench-warmup-${label}-${k}`) })));
  // Growth is counted from here: after start-up and the warm-up, what the load itself adds.
  await sleep(2000);
  if (pid) await collect(pid);
  const idle = pid ? await status(pid, "VmRSS") : 0;
  // The peak from here on (start-up's own peak is not the load's): "5" resets VmHWM (proc(5), clear_refs).
  if (pid) await writeFile(`/proc/${pid}/clear_refs`, "5");
  const t0 = performance.now();
  await Promise.all(
    devices.map(async (d, k) => {
      const t = transports[k]!;
      for (let i = next++; i < N; i = next++) {
        const to = devices[(k + 1 + (i % (DEVICES - 1))) % DEVICES]!.mailbox;
        const subject = `bench-${label}-${i}`;
        const raw = message(i, size(i), d.mailbox, to, subject);
        const s = performance.now();
        try {
          await t.sendMail({ envelope: { from: d.mailbox, to: [to] }, raw });
          times.push(performance.now() - s);
          subjects.push({ subject, to });
        } catch (err) {
          failures.push(`${subject}: ${(err as Error).message}`);
        }
      }
      t.close();
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const peak = pid ? await status(pid, "VmHWM") : 0;
  if (pid) await collect(pid);
  const after = pid ? await status(pid, "VmRSS") : 0;
  times.sort((a, b) => a - b);
  return { perSecond: times.length / seconds, p50: pct(times, 50), p99: pct(times, 99), growth: Math.max(0, peak - idle), retained: Math.max(0, after - idle), subjects, failures };
}

async function main(): Promise<void> {
  const work = path.join(tmpdir(), `gmp-bench-smtp-${process.pid}`);
  const dbName = `gmp_bench_smtp_${process.pid}`;
  await mkdir(work, { recursive: true });
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database "${dbName}"`);
  await admin.end();
  const dbUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();
  try {
    // The sandbox tenant, in its own process, with one sender mailbox per device.
    const sbDir = path.join(work, "sandbox");
    const sbEnv = { ...process.env, SANDBOX_DATA_DIR: sbDir, SANDBOX_LOGIN_PORT: String(await freePort()), SANDBOX_GRAPH_PORT: String(await freePort()), SANDBOX_UPLOAD_PORT: String(await freePort()) };
    children.push(spawn(process.execPath, [sandboxBin(process.env.BENCH_SANDBOX_ROOT)], { env: sbEnv, stdio: ["ignore", "ignore", "inherit"] }));
    const endpointsFile = path.join(sbDir, "endpoints.json");
    for (let i = 0; !existsSync(endpointsFile); i++) {
      if (i > 300) throw new Error("the sandbox did not start");
      await sleep(200);
    }
    const e = JSON.parse(readFileSync(endpointsFile, "utf8")) as SandboxEndpoints;
    const sbCa = readFileSync(e.caFile, "utf8");
    const call = makeCall(sbCa);
    const control = (p: string, body?: unknown) => call(`${e.loginUrl}/_sandbox${p}`, body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const users = Array.from({ length: DEVICES }, (_, i) => ({ userPrincipalName: `mfp${i}@${e.tenant.domain}`, displayName: `MFP ${i}`, mailbox: { kind: "user" as const } }));
    const seeded = await control("/seed", { users, accessPolicies: users.map((u) => ({ appId: e.app.clientId, accessRight: "RestrictAccess", scope: u.userPrincipalName })) });
    if (seeded.status !== 201) throw new Error(`seeding the sandbox failed: ${seeded.status} ${seeded.body}`);

    // The portal's database, tenant (by configuration, as demo mode connects it) and 20 devices.
    const dataDir = path.join(work, "portal");
    await mkdir(dataDir, { recursive: true });
    const bundle = path.join(dataDir, "ca-bundle.pem");
    await writeFile(bundle, `${existsSync("/etc/ssl/certs/ca-certificates.crt") ? readFileSync("/etc/ssl/certs/ca-certificates.crt", "utf8") : ""}\n${sbCa}`);
    const tenantsFile = path.join(dataDir, "tenants.json");
    await writeFile(tenantsFile, JSON.stringify({ tenants: [{ name: "Bench", cloud: "sandbox", directoryId: e.tenant.id, loginUrl: e.loginUrl, graphUrl: e.graphUrl, clientId: e.app.clientId, clientSecret: e.app.clientSecret, senders: users.map((u) => u.userPrincipalName) }] }));
    const relayPort = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env, DATABASE_URL: dbUrl, PORTAL_DATA_DIR: dataDir, PORTAL_SECRET_KEY: randomBytes(32).toString("hex"), PORTAL_URL: "http://localhost:3000",
      PORTAL_TENANTS_FILE: tenantsFile, NODE_EXTRA_CA_CERTS: bundle, PORTAL_SMTP_PORT: String(relayPort), PORTAL_SMTP_BIND: "127.0.0.1", PORTAL_SMTP_HOSTNAME: "localhost",
      PORTAL_OUTBOX_PACE_WINDOW_MS: String(Math.round(60_000 / SPEED)),
    };
    await migrate(env);
    Object.assign(process.env, { DATABASE_URL: dbUrl, PORTAL_SECRET_KEY: env.PORTAL_SECRET_KEY, PORTAL_DATA_DIR: dataDir });
    const { hashDevicePassword } = await import("@/lib/devices/secret");

    // Run 2 first: the relay process provisions the tenant and generates its certificate.
    let relay = await start("scripts/portal-services.ts", { ...env, PORTAL_OUTBOX_WORKER_CONCURRENCY: "0" }, "SMTP relay listening");
    const db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
    const tenantId = (await db.query<{ id: string }>(`SELECT id FROM "Tenant" WHERE name = 'Bench'`)).rows[0]!.id;
    const devices: Device[] = [];
    for (let i = 0; i < DEVICES; i++) {
      const password = randomBytes(12).toString("hex");
      const id = `bench-device-${i}`;
      await db.query(`INSERT INTO "Device" (id, "tenantId", name, username, "passwordHash", "ratePerMinute", "maxMessageBytes") VALUES ($1, $2, $3, $4, $5, 100000, $6)`, [id, tenantId, `MFP ${i}`, `dev-bench-${i}`, hashDevicePassword(password), 16 * MB]);
      await db.query(`INSERT INTO "SenderGrant" (id, "mailboxId", "deviceId") SELECT 'g-' || $1, id, $1 FROM "SenderMailbox" WHERE "tenantId" = $2 AND lower(address) = $3`, [id, tenantId, users[i]!.userPrincipalName.toLowerCase()]);
      devices.push({ username: `dev-bench-${i}`, password, mailbox: users[i]!.userPrincipalName.toLowerCase() });
    }
    const smtpDir = path.join(dataDir, "smtp");
    const ca = readFileSync(path.join(smtpDir, "ca.pem"), "utf8");

    console.log(`bench:smtp — ${DEVICES} devices on ${DEVICES} connections, ${N} messages per run (mixed: 1 KB – 10 MB, log-uniform)`);
    const small = await run("small", relayPort, ca, devices, () => 1024, relay.pid!);
    progress("small", small);
    await stop(relay);
    relay = await start("scripts/portal-services.ts", { ...env, PORTAL_OUTBOX_WORKER_CONCURRENCY: "0" }, "SMTP relay listening");
    const mixed = await run("mixed", relayPort, ca, devices, mixedSize, relay.pid!);
    progress("mixed", mixed);
    await stop(relay);
    const basePort = await freePort();
    const base = await start("scripts/bench/smtp-discard.ts", { ...process.env, PORT: String(basePort), CERT_FILE: path.join(smtpDir, "server.pem"), KEY_FILE: path.join(smtpDir, "server-key.pem") }, "SMTP relay listening");
    const baseline = await run("base", basePort, ca, devices, mixedSize, base.pid!);
    progress("baseline", baseline);
    await stop(base);

    // Drain run 3 to the sandbox and count the copies (run 2's 1 KB sends and the warm-ups only measured the relay: removed).
    await db.query(`DELETE FROM "Send" WHERE subject NOT LIKE 'bench-mixed-%'`);
    await control("/clock", { speed: SPEED });
    const t1 = performance.now();
    const workers = await Promise.all([0, 1].map(() => start("scripts/outbox/worker.ts", { ...env, OUTBOX_OPTIONS: JSON.stringify({ pollMs: 500, timeoutMs: 600_000, leaseMs: 600_000 }) }, "outbox worker")));
    let open = Infinity;
    for (let i = 0; open > 0 && i < 7200; i++) {
      await sleep(1000);
      open = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM "Send" WHERE status IN ('queued','sending','retrying')`)).rows[0]!.n);
    }
    const drainSeconds = (performance.now() - t1) / 1000;
    await Promise.all(workers.map(stop));
    const byStatus = Object.fromEntries((await db.query<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM "Send" GROUP BY status`)).rows.map((r) => [r.status, Number(r.n)]));
    const whyNot = (await db.query<{ code: string; message: string; n: string }>(`SELECT "errorCode" AS code, min("errorMessage") AS message, count(*) AS n FROM "Send" WHERE status IN ('failed','uncertain') GROUP BY 1`)).rows;
    await db.end();
    const counts = new Map<string, number>();
    for (const u of devices) {
      const r = await control(`/messages?to=${encodeURIComponent(u.mailbox)}&folder=inbox`);
      for (const m of JSON.parse(r.body) as { subject: string; mailbox: string }[]) if (m.subject.startsWith("bench-mixed-")) counts.set(`${m.subject}|${m.mailbox.toLowerCase()}`, (counts.get(`${m.subject}|${m.mailbox.toLowerCase()}`) ?? 0) + 1);
    }
    const missing = mixed.subjects.filter((s) => !counts.has(`${s.subject}|${s.to}`)).length;
    const twice = [...counts.values()].filter((n) => n !== 1).length;

    const mbf = (b: number) => `${(b / MB).toFixed(1)} MB`;
    const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
    const x = (a: number, b: number) => `${ratio(a, b).toFixed(2)}×`;
    const row = (name: string, r: RunResult) =>
      `${name}${r.perSecond.toFixed(1)} msg/s (${x(r.perSecond, baseline.perSecond)}), time to 250 p50 ${r.p50.toFixed(0)} ms (${x(r.p50, baseline.p50)}), p99 ${r.p99.toFixed(0)} ms (${x(r.p99, baseline.p99)}), ` +
      `peak RSS growth ${mbf(r.growth)} (${x(r.growth, Math.max(baseline.growth, 1))}), after a full GC ${mbf(r.retained)} (${x(r.retained, Math.max(baseline.retained, 1))})`;
    console.log(`baseline (smtp-server, discard), mixed  ${baseline.perSecond.toFixed(1)} msg/s, time to 250 p50 ${baseline.p50.toFixed(0)} ms, p99 ${baseline.p99.toFixed(0)} ms, peak RSS growth ${mbf(baseline.growth)}, after a full GC ${mbf(baseline.retained)}`);
    console.log(row("relay, 1 KB messages                    ", small));
    console.log(row("relay, mixed 1 KB – 10 MB               ", mixed));
    console.log(`  peak RSS growth, mixed vs 1 KB: ${x(mixed.growth, Math.max(small.growth, 1))} (${mbf(mixed.growth - small.growth)} more)`);
    console.log(`drain: ${drainSeconds.toFixed(0)} s (sandbox clock ×${SPEED}), sends ${JSON.stringify(byStatus)}; in the sandbox inboxes: ${mixed.subjects.length - missing} of ${mixed.subjects.length}, ${missing} missing, ${twice} with more than one copy`);
    for (const w of whyNot) console.log(`  not delivered: ${w.n} × ${w.code}: ${w.message}`);
    const refused = small.failures.length + mixed.failures.length + baseline.failures.length;
    if (refused) console.log(`refused by the relay: ${[...small.failures, ...mixed.failures, ...baseline.failures].slice(0, 5).join(" | ")}`);
    // Exchange Online's sending limit for the mailboxes the devices send as (see the header).
    const exchangePerSecond = (DEVICES * 30) / 60;
    const keeps = baseline.retained + 16 * MB;
    console.log(`  Exchange Online lets these ${DEVICES} mailboxes send ${exchangePerSecond} msg/s: the relay accepts mixed messages at ${x(mixed.perSecond, exchangePerSecond)} that, 1 KB ones at ${x(small.perSecond, exchangePerSecond)}`);
    const ok =
      refused === 0 && missing === 0 && twice === 0 && mixed.growth < 64 * MB && small.growth < 64 * MB && mixed.growth < small.growth + 32 * MB && mixed.retained <= keeps && small.retained <= keeps &&
      mixed.perSecond >= 2 * exchangePerSecond && Math.max(mixed.p50, small.p50) <= 1_000 && Math.max(mixed.p99, small.p99) <= 5_000;
    console.log(
      `goal: every message accepted (250) and in its recipient's inbox exactly once; relay peak RSS growth under 64 MB for 1 KB and for mixed messages, within 32 MB of each other (independent of size), and after a full GC no more than the discarding baseline keeps + 16 MB (${mbf(keeps)}); accepted/s (mixed) ≥ 2× what Exchange Online lets the ${DEVICES} mailboxes send (${2 * exchangePerSecond} msg/s); time to 250 p50 ≤ 1 s and p99 ≤ 5 s for both runs (the ratios to the discarding baseline are context, not judged: see the header) — ${ok ? "MET" : "NOT MET"}`,
    );
    process.exitCode = ok ? 0 : 1;
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await rm(work, { recursive: true, force: true });
    const a = new pg.Client({ connectionString: adminUrl });
    await a.connect().then(() => a.query(`drop database if exists "${dbName}" with (force)`)).finally(() => a.end());
  }
}

main().catch((err: unknown) => {
  console.error(err);
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  process.exit(1);
});
