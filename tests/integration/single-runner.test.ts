/**
 * lib/jobs/single-runner.ts on real PostgreSQL: of two runs of the same job at once, one runs it and the
 * other skips; another instance holding the job's advisory lock (a connection of its own) makes it skip
 * until it unlocks or dies; another job is not blocked; the lock is free again after the run, and after a
 * run that threw.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../support/db";
import type * as RunnerModule from "@/lib/jobs/single-runner";

let dbh: { url: string; drop(): Promise<void> };
let runAlone: typeof RunnerModule.runAlone;
let jobLockKey: typeof RunnerModule.jobLockKey;

beforeAll(async () => {
  dbh = await createTestDatabase();
  process.env.DATABASE_URL = dbh.url;
  process.env.PORTAL_SECRET_KEY = randomBytes(32).toString("hex");
  ({ runAlone, jobLockKey } = await import("@/lib/jobs/single-runner"));
});

afterAll(async () => {
  const { db } = await import("@/lib/db");
  await db().$disconnect();
  await dbh?.drop();
});

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

describe("runAlone", () => {
  it("lets one of two concurrent runs of a job through; other jobs run meanwhile", async () => {
    const started = gate();
    const release = gate();
    const first = runAlone("purge", async () => {
      started.open();
      await release.opened;
      return "first";
    });
    await started.opened;
    // While the first holds the job: the same job is skipped, another job runs.
    expect(await runAlone("purge", async () => "second")).toBeNull();
    expect(await runAlone("other-job", async () => "other")).toBe("other");
    release.open();
    expect(await first).toBe("first");
    // Free again once the first run ended.
    expect(await runAlone("purge", async () => "third")).toBe("third");
  });

  it("skips while another instance holds the job's lock, and runs once that instance let go or died", async () => {
    const other = new pg.Client({ connectionString: dbh.url });
    await other.connect();
    await other.query("SELECT pg_advisory_lock($1::bigint)", [jobLockKey("trace:t1")]);
    expect(await runAlone("trace:t1", async () => "mine")).toBeNull();
    expect(await runAlone("trace:t2", async () => "t2")).toBe("t2");
    await other.query("SELECT pg_advisory_unlock($1::bigint)", [jobLockKey("trace:t1")]);
    expect(await runAlone("trace:t1", async () => "mine")).toBe("mine");

    // The other instance takes it again and dies without unlocking: PostgreSQL frees the lock with its connection.
    await other.query("SELECT pg_advisory_lock($1::bigint)", [jobLockKey("trace:t1")]);
    expect(await runAlone("trace:t1", async () => "mine")).toBeNull();
    const admin = new pg.Client({ connectionString: dbh.url });
    await admin.connect();
    const pid = (await other.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
    other.on("error", () => undefined);
    await admin.query("SELECT pg_terminate_backend($1)", [pid]);
    await admin.end();
    expect(await runAlone("trace:t1", async () => "after")).toBe("after");
  });

  it("holds the lock during the run and not after; no transaction stays open meanwhile", async () => {
    const peek = new pg.Client({ connectionString: dbh.url });
    await peek.connect();
    const held = () => peek.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())").then((r) => r.rows[0]!.n);
    const idleInTx = () => peek.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'").then((r) => r.rows[0]!.n);
    const during = await runAlone("observed", async () => ({ locks: await held(), idleInTx: await idleInTx() }));
    expect(during).toEqual({ locks: 1, idleInTx: 0 });
    expect(await held()).toBe(0);
    await peek.end();
  });

  it("frees the job after a run that failed", async () => {
    await expect(runAlone("failing", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await runAlone("failing", async () => "again")).toBe("again");
  });
});
