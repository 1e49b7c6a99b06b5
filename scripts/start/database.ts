/** The embedded database: PGlite (PostgreSQL in WebAssembly) behind a PostgreSQL wire-protocol socket. */
import path from "node:path";
import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { installSessionQueue } from "./pglite-session-queue";
import { freePort } from "./ports";

export interface EmbeddedDb {
  url: string;
  stop(): Promise<void>;
}

/** `port` 0 takes any free port (tests: no fixed port shared with `npm start` or another suite). */
export async function startEmbeddedDb(dataDir: string, opts: { port?: number } = {}): Promise<EmbeddedDb> {
  const dir = path.resolve(dataDir, "pglite");
  await mkdir(dir, { recursive: true });
  const db = await PGlite.create(dir);
  const wanted = opts.port ?? (Number(process.env.PORTAL_EMBEDDED_DB_PORT) || (await freePort(54329)));
  // The portal's pools hold up to 23 connections (Prisma 10, raw 6, upload store 4, rate limiter 3), plus a
  // tool or two (rotate-key, psql). They all share PGlite's one session, so a connection costs a socket only.
  const server = new PGLiteSocketServer({ db, port: wanted, host: "127.0.0.1", maxConnections: 32 });
  // The portal opens several connections; their queries must not interleave in PGlite's one session.
  installSessionQueue(server, db);
  await server.start();
  // The port actually bound ("127.0.0.1:<port>"), which differs from `wanted` when that was 0.
  const port = Number(server.getServerConn().split(":").pop());
  return {
    // PGlite's socket speaks no TLS: sslmode=disable (shared/STACK.md).
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
