/**
 * `npm run bench:load` — `POST /api/sends` under load, on loopback, against the sandbox tenant:
 *  - a serial baseline first (one client, BENCH_LOAD_BASELINE_SECONDS, default 10 s): requests per second
 *    and p50 latency, measured in this run on this machine;
 *  - then BENCH_LOAD_CLIENTS (default 50) concurrent clients for BENCH_LOAD_SECONDS (default 60 s):
 *    throughput (goal: at least the serial baseline's), p50/p99 latency (goal: p99 within 3× the fair
 *    share, clients ÷ throughput, so no request starves), errors (goal 0);
 *  - then the outbox drains everything accepted, and every accepted request is looked up in the send log:
 *    each must be `accepted` with Graph's 202 in its attempt log, and the sandbox must hold exactly one copy.
 * Sends spread over SENDERS mailboxes, so Exchange's 30 messages a minute per mailbox (which the portal
 * paces and the sandbox enforces) does not make the drain the whole benchmark. Prints JSON with a goal
 * beside every figure (also written to bench-results/load.json) and exits non-zero when a goal is missed.
 */
import { mkdir, writeFile } from "node:fs/promises";
import pg from "pg";
import { pct, sleep, startBenchStack, type BenchStack } from "./harness";

const CLIENTS = Number(process.env.BENCH_LOAD_CLIENTS ?? 50);
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 60);
const BASELINE_SECONDS = Number(process.env.BENCH_LOAD_BASELINE_SECONDS ?? 10);
const SENDERS = 200;
const DRAIN_LIMIT_MS = 15 * 60_000;

interface Phase {
  requests: number;
  accepted: string[];
  errors: Record<string, number>;
  latenciesMs: number[];
  seconds: number;
}

async function runPhase(stack: BenchStack, senders: string[], clients: number, seconds: number, label: string): Promise<Phase> {
  const phase: Phase = { requests: 0, accepted: [], errors: {}, latenciesMs: [], seconds };
  const until = performance.now() + seconds * 1000;
  let n = 0;
  const client = async (c: number) => {
    while (performance.now() < until) {
      const k = n++;
      const body = JSON.stringify({ tenantId: stack.tenantId, mode: "app", from: senders[k % senders.length], to: stack.e.mailboxes.allowed, subject: `${label} ${c}-${k}`, body: `load ${label} request ${k}` });
      const t = performance.now();
      const r = await stack.call(`${stack.base}/api/sends`, { method: "POST", headers: { cookie: stack.cookie, origin: stack.base, "content-type": "application/json" }, body }).catch((err: unknown) => ({ status: 0, body: String(err), headers: {} }));
      phase.latenciesMs.push(performance.now() - t);
      phase.requests++;
      if (r.status === 201) phase.accepted.push((JSON.parse(r.body) as { id: string }).id);
      else {
        const key = `${r.status} ${r.body.slice(0, 120)}`;
        phase.errors[key] = (phase.errors[key] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
  phase.latenciesMs.sort((a, b) => a - b);
  return phase;
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

async function main() {
  const stack = await startBenchStack("load", (domain) =>
    Array.from({ length: SENDERS }, (_, i) => ({ userPrincipalName: `load.sender${i}@${domain}`, displayName: `Load Sender ${i}`, mailbox: { kind: "user" as const } })),
  );
  try {
    const senders = Array.from({ length: SENDERS }, (_, i) => `load.sender${i}@${stack.e.tenant.domain}`);
    // Warm-up: compile the route and open the pools, outside every measurement.
    await runPhase(stack, senders, 4, 3, "warm-up");
    const serial = await runPhase(stack, senders, 1, BASELINE_SECONDS, "serial");
    const load = await runPhase(stack, senders, CLIENTS, SECONDS, "load");
    const all = [...serial.accepted, ...load.accepted];

    // Drain: wait until no accepted request is still on its way to Graph.
    const db = new pg.Client({ connectionString: stack.dbUrl });
    await db.connect();
    const drainStart = performance.now();
    for (;;) {
      const open = (await db.query<{ n: string }>(`SELECT count(*) AS n FROM "Send" WHERE status IN ('queued', 'sending')`)).rows[0]!.n;
      if (Number(open) === 0) break;
      if (performance.now() - drainStart > DRAIN_LIMIT_MS) break;
      await sleep(1000);
    }
    const drainSeconds = (performance.now() - drainStart) / 1000;
    // Every accepted request in the log, with Graph's result.
    const rows = (await db.query<{ id: string; status: string; graph202: boolean }>(
      `SELECT s.id, s.status, EXISTS (SELECT 1 FROM "SendAttempt" a WHERE a."sendId" = s.id AND a."httpStatus" = 202) AS graph202
         FROM "Send" s WHERE s.id = ANY($1)`,
      [all],
    )).rows;
    await db.end();
    const byId = new Map(rows.map((r) => [r.id, r]));
    const missingFromLog = all.filter((id) => !byId.has(id)).length;
    const notAccepted = rows.filter((r) => r.status !== "accepted" || !r.graph202);
    const statuses: Record<string, number> = {};
    for (const r of notAccepted) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    // Exactly one copy of each in the sandbox (subjects are unique per request).
    const inbox = JSON.parse((await stack.call(`${stack.e.loginUrl}/_sandbox/messages?to=${encodeURIComponent(stack.e.mailboxes.allowed)}`)).body) as { subject: string }[];
    const copies = new Map<string, number>();
    for (const m of inbox) copies.set(m.subject, (copies.get(m.subject) ?? 0) + 1);
    const duplicated = [...copies.values()].filter((c) => c > 1).length;

    const rps = (p: Phase) => p.requests / p.seconds;
    const errorsOf = (p: Phase) => Object.values(p.errors).reduce((a, b) => a + b, 0);
    const figures = {
      bench: "load",
      machine: "loopback; the portal, the sandbox and this client share the machine",
      baseline: {
        clients: 1,
        seconds: BASELINE_SECONDS,
        requests: serial.requests,
        requestsPerSecond: round(rps(serial)),
        p50Ms: round(pct(serial.latenciesMs, 50)),
        errors: errorsOf(serial),
      },
      load: {
        clients: CLIENTS,
        seconds: SECONDS,
        requests: load.requests,
        accepted: load.accepted.length,
        requestsPerSecond: round(rps(load)),
        p50Ms: round(pct(load.latenciesMs, 50)),
        p99Ms: round(pct(load.latenciesMs, 99)),
        errors: errorsOf(load),
        errorKinds: load.errors,
      },
      delivery: {
        acceptedRequests: all.length,
        drainSecondsAfterLoad: round(drainSeconds),
        missingFromLog,
        notAcceptedByGraph: notAccepted.length,
        notAcceptedByStatus: statuses,
        sandboxCopies: inbox.filter((m) => m.subject.startsWith("serial ") || m.subject.startsWith("load ")).length,
        duplicatedInSandbox: duplicated,
      },
      ratios: {
        // Concurrency must raise throughput, not collapse it.
        throughputVsSerial: round(rps(load) / rps(serial), 2),
        // The tail against the fair share: with N clients always waiting, Little's law gives each request
        // N ÷ throughput seconds on average; a p99 far above it means some requests starve behind others.
        p50VsFairShare: round(pct(load.latenciesMs, 50) / ((CLIENTS / rps(load)) * 1000), 2),
        p99VsFairShare: round(pct(load.latenciesMs, 99) / ((CLIENTS / rps(load)) * 1000), 2),
      },
    };
    const goals = {
      errors: { goal: 0, ok: figures.baseline.errors + figures.load.errors === 0 },
      missingFromLog: { goal: 0, ok: missingFromLog === 0 },
      notAcceptedByGraph: { goal: 0, ok: notAccepted.length === 0 },
      sandboxCopies: { goal: "= acceptedRequests", ok: figures.delivery.sandboxCopies === all.length },
      duplicatedInSandbox: { goal: 0, ok: duplicated === 0 },
      throughputVsSerial: { goal: ">= 1.0", ok: figures.ratios.throughputVsSerial >= 1 },
      p50VsFairShare: { goal: "<= 1.5", ok: figures.ratios.p50VsFairShare <= 1.5 },
      p99VsFairShare: { goal: "<= 3", ok: figures.ratios.p99VsFairShare <= 3 },
      drainSecondsAfterLoad: { goal: `< ${DRAIN_LIMIT_MS / 1000} (everything accepted reaches Graph)`, ok: drainSeconds < DRAIN_LIMIT_MS / 1000 },
    };
    const report = { ...figures, goals, allGoalsMet: Object.values(goals).every((g) => g.ok) };
    await mkdir("bench-results", { recursive: true });
    await writeFile("bench-results/load.json", JSON.stringify(report, null, 2));
    console.log(JSON.stringify(report, null, 2));
    if (!report.allGoalsMet) process.exitCode = 1;
  } finally {
    await stack.cleanup();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
