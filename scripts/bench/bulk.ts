/**
 * `npm run bench:bulk` — bulk sending against Exchange's limit, on loopback, against the sandbox:
 *  1. Paced: 300 messages from 2 mailboxes queued through the portal's REST API (POST /api/v1/messages with a
 *     scoped key → lib/sends/queue-send.ts, the one queueing path every door shares) with the sandbox enforcing Exchange Online's
 *     sending limit of 30 messages a minute per mailbox
 *     (learn.microsoft.com/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits#sending-limits)
 *     on a sped-up clock (POST /_sandbox/clock {"speed": BENCH_BULK_SPEED}, default 5; the portal's
 *     pacing window is shortened to match with PORTAL_OUTBOX_PACE_WINDOW_MS). Figure: achieved rate ÷
 *     allowed ceiling, per mailbox, on the sandbox clock: the fastest any client can use N messages of a
 *     "30 in any 60 s" budget is N/30 minutes, counted from its first message until the budget is free
 *     again (the 30th-last message + 60 s); goal ≥ 0.95, with 0 failed and 0 duplicated.
 *  2. Naive: the article's script against the same sandbox — a for-loop of direct Graph sendMail (MSAL +
 *     Graph SDK, scripts/bench/direct-graph.ts), no pacing, no retry: its rate and how many it lost.
 *     For contrast; it has no goal.
 *  3. Latency, one message at a time, with the sandbox holding each Graph request BENCH_BULK_GRAPH_MS
 *     (default 250 ms — an assumed service time of Graph's sendMail; the sandbox itself answers at once,
 *     and without it the ratio would compare the portal's overhead with nothing): p50 of the REST API's
 *     request → 202 queued (goal: below a direct sendMail's p50 — the caller is answered before Microsoft
 *     is), and p50 of request → accepted by Graph through queue-send + the outbox worker (the send's
 *     completedAt) ÷ p50 of a direct Graph SDK sendMail (goal ≤ 1.3).
 * Prints JSON with a goal beside every figure (also bench-results/bulk.json); exits non-zero when a goal is missed.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { pct, sleep, startBenchStack } from "./harness";

const SPEED = Number(process.env.BENCH_BULK_SPEED ?? 5);
const MESSAGES = 300;
const MAILBOXES = 2;
const LIMIT = 30; // messages per minute per mailbox
const GRAPH_MS = Number(process.env.BENCH_BULK_GRAPH_MS ?? 250);
const LATENCY_SAMPLES = Number(process.env.BENCH_BULK_LATENCY_SAMPLES ?? 20);
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

// The portal's pacing window follows the sandbox clock (set before the portal starts; harness passes env).
process.env.PORTAL_OUTBOX_PACE_WINDOW_MS = String(Math.round(60_000 / SPEED));

function runDirect(env: Record<string, string>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ["--import", "tsx", "scripts/bench/direct-graph.ts"], { cwd: process.cwd(), env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    c.stdout.on("data", (d: Buffer) => (out += d.toString()));
    c.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop()!)) : reject(new Error(`direct-graph exited ${code}`))));
  });
}

async function main() {
  const latencySenders = Array.from({ length: LATENCY_SAMPLES }, (_, i) => `bulk.latency${i}`);
  const stack = await startBenchStack("bulk", (domain) =>
    [...["bulk.sender0", "bulk.sender1", "bulk.naive0", "bulk.naive1"], ...latencySenders].map((u) => ({ userPrincipalName: `${u}@${domain}`, displayName: u, mailbox: { kind: "user" as const } })),
  );
  const db = new pg.Client({ connectionString: stack.dbUrl });
  try {
    await db.connect();
    const d = stack.e.tenant.domain;
    const to = stack.e.mailboxes.allowed;
    const control = (p: string, body: unknown) => stack.call(`${stack.e.loginUrl}/_sandbox${p}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    // The scripts' door: a scoped API key (stored as the portal stores one: SHA-256 of the secret) granted
    // every bench mailbox, its own rate high enough not to be the limit measured here.
    const keySecret = `gmp_live_${randomBytes(32).toString("base64url")}`;
    await db.query(`INSERT INTO "ApiKey" (id, "tenantId", name, hash, "displayPrefix", "allowedSenders", "ratePerMinute") VALUES ('bench-key', $1, 'bench', $2, $3, '{}', 100000)`, [stack.tenantId, createHash("sha256").update(keySecret).digest("hex"), `${keySecret.slice(0, 13)}…`]);
    await db.query(`INSERT INTO "SenderGrant" (id, "mailboxId", "apiKeyId") SELECT 'bench-key-' || id, id, 'bench-key' FROM "SenderMailbox" WHERE "tenantId" = $1`, [stack.tenantId]);
    const post = (from: string, subject: string) =>
      stack.call(`${stack.base}/api/v1/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${keySecret}`, "content-type": "application/json", "idempotency-key": randomUUID() },
        body: JSON.stringify({ from: { emailAddress: { address: from } }, subject, body: { contentType: "HTML", content: `<p>${subject}</p>` }, toRecipients: [{ emailAddress: { address: to } }] }),
      });
    const endpoints = path.join(stack.work, "sandbox", "endpoints.json");
    const directEnv = { NODE_EXTRA_CA_CERTS: path.join(stack.work, "portal", "ca-bundle.pem"), DIRECT_ENDPOINTS: endpoints, DIRECT_TO: to };
    const inbox = async (prefix: string) =>
      (JSON.parse((await stack.call(`${stack.e.loginUrl}/_sandbox/messages?to=${encodeURIComponent(to)}&folder=inbox`)).body) as { subject: string; from: { address: string }; receivedDateTime: string }[]).filter((m) => m.subject.startsWith(`${prefix} `));

    // Warm-up outside every measurement: the route compiled, the portal's token cached.
    for (let i = 0; i < 2; i++) if ((await post(`${latencySenders[i]}@${d}`, `warm-up ${i}`)).status !== 202) throw new Error("warm-up send refused");
    await control("/clock", { speed: SPEED });

    // 1. Paced bulk through the portal.
    const bulkFrom = [`bulk.sender0@${d}`, `bulk.sender1@${d}`];
    const ids: string[] = [];
    let errors = 0;
    let k = 0;
    await Promise.all(Array.from({ length: 10 }, async () => {
      while (k < MESSAGES) {
        const i = k++;
        const r = await post(bulkFrom[i % MAILBOXES]!, `bulk ${i}`);
        if (r.status === 202) ids.push((JSON.parse(r.body) as { id: string }).id);
        else errors++;
      }
    }));
    const deadline = Date.now() + (MESSAGES / (LIMIT * MAILBOXES)) * (60_000 / SPEED) * 4 + 120_000;
    for (;;) {
      const open = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM "Send" WHERE id = ANY($1) AND status IN ('queued', 'sending', 'retrying')`, [ids])).rows[0]!.n);
      if (open === 0 || Date.now() > deadline) break;
      await sleep(500);
    }
    const byStatus = Object.fromEntries((await db.query<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM "Send" WHERE id = ANY($1) GROUP BY status`, [ids])).rows.map((r) => [r.status, Number(r.n)]));
    const throttled = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM "SendAttempt" WHERE "sendId" = ANY($1) AND outcome = 'throttled'`, [ids])).rows[0]!.n);
    const delivered = await inbox("bulk");
    const copies = new Map<string, number>();
    for (const m of delivered) copies.set(m.subject, (copies.get(m.subject) ?? 0) + 1);
    const perMailbox = bulkFrom.map((from) => {
      const t = delivered.filter((m) => m.from.address.toLowerCase() === from).map((m) => Date.parse(m.receivedDateTime)).sort((a, b) => a - b);
      if (t.length < LIMIT) return { from, messages: t.length, budgetSeconds: 0, rateVsCeiling: 0 };
      const budgetSeconds = (t[t.length - LIMIT]! + 60_000 - t[0]!) / 1000;
      return { from, messages: t.length, budgetSeconds: round(budgetSeconds, 1), rateVsCeiling: round(((t.length / LIMIT) * 60) / budgetSeconds, 3) };
    });
    const accepted = byStatus.accepted ?? 0;

    // 2. The article's loop, same sandbox, same limit, its own two mailboxes.
    const naive = (await runDirect({ ...directEnv, DIRECT_MODE: "naive", DIRECT_SENDERS: `bulk.naive0@${d},bulk.naive1@${d}`, DIRECT_COUNT: String(MESSAGES), DIRECT_PREFIX: "naive" })) as { sent: number; lost: number; realSeconds: number };

    // 3. Latency, one at a time, each from its own mailbox (so pacing never waits), real-time clock.
    await control("/clock", { speed: 1 });
    await control("/faults", { rate: 0, latencyMs: GRAPH_MS });
    const direct = (await runDirect({ ...directEnv, DIRECT_MODE: "latency", DIRECT_SENDERS: latencySenders.map((u) => `${u}@${d}`).join(","), DIRECT_COUNT: String(LATENCY_SAMPLES), DIRECT_PREFIX: "direct" })) as { ms: number[] };
    const api: number[] = [];
    const toAccepted: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const t0 = Date.now();
      const p0 = performance.now();
      const r = await post(`${latencySenders[i]}@${d}`, `latency ${i}`);
      api.push(performance.now() - p0);
      if (r.status !== 202) throw new Error(`latency send refused: ${r.status} ${r.body}`);
      const id = (JSON.parse(r.body) as { id: string }).id;
      for (let w = 0; ; w++) {
        const row = (await db.query<{ status: string; completedAt: Date | null }>(`SELECT status, "completedAt" FROM "Send" WHERE id = $1`, [id])).rows[0]!;
        if (row.status === "accepted" && row.completedAt) {
          toAccepted.push(row.completedAt.getTime() - t0);
          break;
        }
        if (["failed", "uncertain"].includes(row.status) || w > 3000) throw new Error(`latency send ${id} ended ${row.status}`);
        await sleep(5);
      }
    }
    const sorted = (x: number[]) => [...x].sort((a, b) => a - b);
    const directP50 = pct(sorted(direct.ms), 50);
    const apiP50 = pct(sorted(api), 50);
    const acceptedP50 = pct(sorted(toAccepted), 50);
    const minRatio = Math.min(...perMailbox.map((m) => m.rateVsCeiling));

    const figures = {
      bench: "bulk",
      machine: "loopback; the portal, the sandbox and this client share the machine",
      clockSpeed: SPEED,
      paced: {
        messages: MESSAGES,
        mailboxes: MAILBOXES,
        limitPerMinutePerMailbox: LIMIT,
        queueErrors: errors,
        accepted,
        failed: MESSAGES - accepted,
        delivered: delivered.length,
        duplicated: [...copies.values()].filter((n) => n > 1).length,
        throttledTriesAbsorbed: throttled,
        perMailbox,
        rateVsCeiling: minRatio,
      },
      naive: { messages: MESSAGES, mailboxes: MAILBOXES, sent: naive.sent, lost: naive.lost, lostShare: round(naive.lost / MESSAGES, 3), sentPerMinutePerMailboxSandbox: round(naive.sent / MAILBOXES / ((naive.realSeconds * SPEED) / 60), 1) },
      latency: {
        samples: LATENCY_SAMPLES,
        assumedGraphServiceMs: GRAPH_MS,
        apiQueuedP50Ms: round(apiP50, 1),
        timeToAcceptedP50Ms: round(acceptedP50, 1),
        directSendMailP50Ms: round(directP50, 1),
        timeToAcceptedVsDirect: round(acceptedP50 / directP50, 2),
      },
    };
    const contrast = { goal: "none: the article's loop, for contrast", ok: true };
    const goals = {
      "paced.queueErrors": { goal: 0, ok: errors === 0 },
      "paced.failed": { goal: 0, ok: figures.paced.failed === 0 },
      "paced.delivered": { goal: `= ${MESSAGES}`, ok: delivered.length === MESSAGES },
      "paced.duplicated": { goal: 0, ok: figures.paced.duplicated === 0 },
      "paced.throttledTriesAbsorbed": { goal: "any (429s retried, none lost)", ok: figures.paced.failed === 0 },
      "paced.perMailbox / rateVsCeiling": { goal: ">= 0.95 (each mailbox)", ok: minRatio >= 0.95 },
      "naive.sent / lost / lostShare / sentPerMinutePerMailboxSandbox": contrast,
      "latency.apiQueuedP50Ms": { goal: "< latency.directSendMailP50Ms", ok: apiP50 < directP50 },
      "latency.timeToAcceptedP50Ms / directSendMailP50Ms / timeToAcceptedVsDirect": { goal: "ratio <= 1.3", ok: figures.latency.timeToAcceptedVsDirect <= 1.3 },
    };
    const report = { ...figures, goals, allGoalsMet: Object.values(goals).every((g) => g.ok) };
    await mkdir("bench-results", { recursive: true });
    await writeFile("bench-results/bulk.json", JSON.stringify(report, null, 2));
    console.log(JSON.stringify(report, null, 2));
    if (!report.allGoalsMet) process.exitCode = 1;
  } finally {
    await db.end().catch(() => undefined);
    await stack.cleanup();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
