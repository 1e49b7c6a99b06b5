import "server-only";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { logError } from "../log";
import { sweepStaleUploads } from "../sends/upload-store";
import { claimSends } from "./claim";
import { outboxOptions, type OutboxOptions } from "./options";
import { processSend } from "./process-send";
import { recoverExpiredLeases } from "./recover";

/**
 * The outbox worker that runs inside every portal process (started from lib/startup.ts). It polls for
 * due sends, claims them (claim.ts: SKIP LOCKED + per-mailbox pacing), and processes up to
 * `concurrency` at once. `kick(id)` claims one send at once, so the compose page does not wait a poll.
 */
export class OutboxWorker {
  readonly id = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  readonly options: OutboxOptions;
  private timer: NodeJS.Timeout | null = null;
  private active = new Set<Promise<unknown>>();
  private polling = false;
  private lastMaintenance = 0;

  constructor(over: Partial<OutboxOptions> = {}) {
    this.options = outboxOptions(over);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.options.pollMs);
    this.timer.unref?.();
    void this.poll();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.allSettled([...this.active]);
  }

  /** Claims and starts due sends now (only `sendId` when given). */
  async poll(sendId?: string): Promise<void> {
    if (!sendId && this.polling) return;
    if (!sendId) this.polling = true;
    try {
      await this.maintain();
      const claims = await claimSends(this.id, { limit: this.options.concurrency - this.active.size, leaseMs: this.options.leaseMs, pace: this.options.pace, only: sendId });
      for (const { id, lease } of claims) {
        const p = processSend(id, lease, this.options)
          .catch((err: unknown) => logError(`outbox: send ${id}`, err))
          .finally(() => this.active.delete(p));
        this.active.add(p);
      }
    } catch (err) {
      logError("outbox: poll failed", err);
    } finally {
      if (!sendId) this.polling = false;
    }
  }

  kick(sendId: string): void {
    void this.poll(sendId);
  }

  /** Waits until the worker has nothing in hand (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.active.size) await Promise.allSettled([...this.active]);
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

export function kickSend(sendId: string): void {
  g.__gmpOutbox?.kick(sendId);
}
