/**
 * The order in which the embedded database's connections take turns in PGlite's one PostgreSQL session.
 *
 * Hand-written because the library's own queue (pglite-socket 0.2.17) orders single protocol messages from
 * every connection and keeps a connection's turn only inside a SQL transaction. An extended-protocol batch
 * (Parse/Bind/Describe/Execute/Sync — what node-postgres and Prisma send for every parameterised query) is
 * not a transaction, so two connections' batches interleave and one binds the other's unnamed statement:
 * "bind message supplies 2 parameters, but prepared statement "" requires 1", or wrong rows when the shapes
 * happen to match. A message that throws also leaves that queue stuck for good.
 * Upstream: https://github.com/electric-sql/pglite/issues/1046 (open; a fix is proposed in
 * https://github.com/electric-sql/pglite/pull/977). Remove this file when a release fixes both.
 *
 * Here a connection keeps its turn from its first message until its batch has ended (Sync, a simple Query,
 * Terminate) and no transaction block is open; other connections' messages wait in arrival order.
 */
import type { PGlite } from "@electric-sql/pglite";
import type { PGLiteSocketServer } from "@electric-sql/pglite-socket";

interface Item {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (error: unknown) => void;
}

/** Frontend message types that continue an extended-protocol batch (or a COPY) until a Sync ends it. */
const BATCH_CONTINUES = new Set(["P", "B", "D", "E", "C", "H", "d"].map((c) => c.charCodeAt(0)));
/** Sync: the end of an extended-protocol batch (the backend answers ReadyForQuery). */
const SYNC = "S".charCodeAt(0);

export class PgliteSessionQueue {
  private queue: Item[] = [];
  private processing = false;
  /** The connection whose batch or transaction is open in the session, or null when any may go next. */
  private owner: number | null = null;

  constructor(private readonly db: PGlite) {}

  /** Same contract as pglite-socket's queue: called by each connection's handler, one message at a time. */
  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ handlerId, message, onData, resolve, reject });
      void this.drain();
    });
  }

  getQueueLength(): number {
    return this.queue.length;
  }

  /** A connection went away: its waiting messages are dropped. */
  clearQueueForHandler(handlerId: number): void {
    this.queue = this.queue.filter((item) => {
      if (item.handlerId !== handlerId) return true;
      item.reject(new Error("Handler disconnected"));
      return false;
    });
  }

  /**
   * A connection went away holding the turn: end its half-sent batch (Sync) and roll back its transaction,
   * so the session is clean for the next connection, then let the others go.
   */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId) return;
    await this.db.runExclusive(() => this.db.execProtocolRawStream(new Uint8Array([SYNC, 0, 0, 0, 4]), { onRawData: () => {} }));
    // exec() takes the same lock itself, so it runs outside runExclusive.
    if (this.db.isInTransaction()) await this.db.exec("ROLLBACK");
    this.owner = null;
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const index = this.owner === null ? 0 : this.queue.findIndex((item) => item.handlerId === this.owner);
        // The connection holding the turn has not sent its next message yet: everyone else waits for it.
        if (index === -1) break;
        const item = this.queue.splice(index, 1)[0]!;
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
          item.resolve(bytes);
        } catch (error) {
          // Only this message fails; the queue goes on (upstream's stops for good here).
          item.reject(error);
        }
        // A startup message has no type byte (it begins with its length, 0x00): it ends no batch.
        const type = item.message[0] ?? 0;
        const batchOpen = type !== SYNC && BATCH_CONTINUES.has(type);
        this.owner = batchOpen || this.db.isInTransaction() ? item.handlerId : null;
      }
    } finally {
      this.processing = false;
    }
  }
}

/** Puts the queue into a server before it starts (the option the library does not offer). */
export function installSessionQueue(server: PGLiteSocketServer, db: PGlite): void {
  // Each connection's handler takes the server's queue when it connects, so replacing it before start()
  // covers every connection.
  (server as unknown as { queryQueue: PgliteSessionQueue }).queryQueue = new PgliteSessionQueue(db);
}
