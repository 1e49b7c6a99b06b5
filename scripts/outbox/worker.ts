/**
 * One outbox worker in a process of its own, against DATABASE_URL: the same OutboxWorker every portal
 * process runs (lib/outbox/worker.ts, started by lib/startup.ts). The fault test spawns it, SIGKILLs
 * it mid-run and starts it again; it also shows how to run extra workers apart from the web process.
 *   node --conditions=react-server --import tsx scripts/outbox/worker.ts
 * OUTBOX_OPTIONS (JSON, optional) overrides lib/outbox/options.ts, e.g. {"maxTransientTries":20}.
 * ("react-server" makes the `server-only` marker of lib/ a no-op outside Next.)
 */
import { startOutboxWorker } from "@/lib/outbox/worker";

const worker = startOutboxWorker(JSON.parse(process.env.OUTBOX_OPTIONS ?? "{}"));
// Keep the process alive (the worker's timers are unref'd so the portal can exit).
const keepAlive = setInterval(() => undefined, 60_000);
console.log(`outbox worker ${worker.id} started`);
const stop = () => {
  clearInterval(keepAlive);
  void worker.stop().then(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
