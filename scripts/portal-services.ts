/**
 * The portal's background services in a process of their own, against DATABASE_URL: exactly what the
 * Next server runs at start (instrumentation.ts → lib/startup.ts: outbox worker, SMTP relay, purge and
 * bulk jobs), without the web pages. The relay's durability test spawns it, SIGKILLs it right after a
 * 250 and starts it again; it also runs the relay and workers apart from the web process.
 *   node --max-old-space-size=1024 --conditions=react-server --import tsx scripts/portal-services.ts
 * ("react-server" makes the `server-only` marker of lib/ a no-op outside Next.)
 */
import { shutdown, startup } from "@/lib/startup";

const keepAlive = setInterval(() => undefined, 60_000);
startup()
  .then(() => console.log(`portal services started (pid ${process.pid})`))
  .catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
const stop = () => {
  clearInterval(keepAlive);
  void shutdown().then(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
