import "server-only";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import pg from "pg";
import { env } from "../env";
import { logError } from "../log";
import { sweepStaleUploads } from "../sends/upload-store";
import { claimSends, nextDueAt } from "./claim";
import { OUTBOX_CHANNEL } from "./notify";
import { outboxOptions, type OutboxOptions } from "./options";
import { processSend } from "./process-send";
import { recoverExpiredLeases } from "./recover";

/**
 * The outbox worker that runs inside every portal process (started from lib/startup.ts). It claims due
 * sends (claim.ts: SKIP LOCKED, per-mailbox pacing, per-app concurrency across instances) and processes
 * up to `concurrency` at once. It claims again:
 *  - as soon as one of its sends finishes (a slot is free);
 *  - when PostgreSQL notifies OUTBOX_CHANNEL (notify.ts: a send was queued, or any instance finished one,
 *    freeing a per-app slot) — LISTEN on a connection of its own;
 *  - when the earliest paced or retrying send becomes due (a timer, at most `pollMs` away);
 *  - every `pollMs` regardless (the safety net: a database without LISTEN, a lost notification).
 * Claims never overlap within one worker; a wake-up during a claim runs one more claim after it.
 * `kick(id)` claims one send at once, so the compose page does not wait at all.
 */
export class OutboxWorker {
  readonly id = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  readonly options: OutboxOptions;
  private timer: NodeJS.Timeout | null = null;
  private dueTimer: NodeJS.Timeout | null = null;
  private active = new Set<Promise<unknown>>();
  private polling = false;
  private again = false;
  private stopped = true;
  private listener: pg.Client | null = null;
  private lastMaintenance = 0;
  /** When the last poll finished without an error (readiness, lib/health/readiness.ts). */
  private lastPollOkAt = 0;

  constructor(over: Partial<OutboxOptions> = {}) {
    this.options = outboxOptions(over);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    this.timer.unref?.();
    void this.listen();
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.dueTimer) clearTimeout(this.dueTimer);
    this.timer = this.dueTimer = null;
    const l = this.listener;
    this.listener = null;
    await l?.end().catch(() => undefined);
    await Promise.allSettled([...this.active]);
  }

  /** Claim now, or right after the claim in progress. */
  wake(): void {
    if (this.stopped) return;
    if (this.polling) this.again = true;
    else void this.poll();
  }

  /** Claims and starts due sends now (only `sendId` when given). */
  async poll(sendId?: string): Promise<void> {
    if (!sendId && this.polling) {
      this.again = true;
      return;
    }
    if (!sendId) this.polling = true;
    try {
      do {
        this.again = false;
        await this.maintain();
        const limit = this.options.concurrency - this.active.size;
        if (limit <= 0) break; // every slot busy: the next one to finish claims again
        const claims = await claimSends(this.id, { limit, leaseMs: this.options.leaseMs, pace: this.options.pace, only: sendId });
        for (const { id, lease } of claims) {
          const p = processSend(id, lease, this.options)
            .catch((err: unknown) => logError(`outbox: send ${id}`, err))
            .finally(() => {
              this.active.delete(p);
              this.wake();
            });
          this.active.add(p);
        }
        // Took fewer than it could: nothing else is due now, so wake when the next paced send is.
        if (!sendId && claims.length < limit) await this.scheduleDue();
      } while (!sendId && this.again && !this.stopped);
      if (!sendId) this.lastPollOkAt = Date.now();
    } catch (err) {
      logError("outbox: poll failed", err);
    } finally {
      if (!sendId) this.polling = false;
    }
  }

  kick(sendId: string): void {
    void this.poll(sendId);
  }

  /** For readiness checks: running, whether its last poll succeeded recently, LISTEN, sends in hand. */
  health(): { running: boolean; lastPollOkAt: number | null; pollMs: number; listening: boolean; inFlight: number } {
    return { running: !this.stopped, lastPollOkAt: this.lastPollOkAt || null, pollMs: this.options.pollMs, listening: this.listener !== null, inFlight: this.active.size };
  }

  /** Waits until the worker has nothing in hand (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.active.size) await Promise.allSettled([...this.active]);
  }

  /** A wake-up when the earliest waiting send (paced, or retrying after Retry-After) becomes due. */
  private async scheduleDue(): Promise<void> {
    if (this.stopped) return;
    const at = await nextDueAt(this.options.pace);
    if (this.dueTimer) clearTimeout(this.dueTimer);
    this.dueTimer = null;
    if (!at) return;
    const ms = Math.max(0, at.getTime() - Date.now());
    if (ms >= this.options.pollMs) return;
    this.dueTimer = setTimeout(() => this.wake(), ms + 5);
    this.dueTimer.unref?.();
  }

  private async listen(): Promise<void> {
    try {
      const c = new pg.Client({ connectionString: env().DATABASE_URL });
      c.on("notification", () => this.wake());
      // A lost connection only costs latency (the poll timer stays); try again on the next start.
      c.on("error", (err) => {
        logError("outbox: LISTEN connection lost; polling only", err);
        if (this.listener === c) this.listener = null;
      });
      await c.connect();
      await c.query(`LISTEN ${OUTBOX_CHANNEL}`);
      if (this.stopped) await c.end();
      else this.listener = c;
    } catch (err) {
      logError("outbox: LISTEN unavailable; polling only", err);
    }
  }

  private async maintain(): Promise<void> {
    if (Date.now() - this.lastMaintenance < 10_000) return;
    this.lastMaintenance = Date.now();
    await recoverExpiredLeases();
    await sweepStaleUploads();
  }
}

const g = globalThis as unknown as { __gmpOutbox?: OutboxWorker };

/** One worker per process; the route and action bundles reach it through globalThis. */
export function startOutboxWorker(over: Partial<OutboxOptions> = {}): OutboxWorker {
  g.__gmpOutbox ??= new OutboxWorker(over);
  g.__gmpOutbox.start();
  return g.__gmpOutbox;
}

/** This process's outbox worker, or null when none was started (readiness checks). */
export function outboxWorker(): OutboxWorker | null {
  return g.__gmpOutbox ?? null;
}

export function kickSend(sendId: string): void {
  g.__gmpOutbox?.kick(sendId);
}
