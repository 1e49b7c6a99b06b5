import "server-only";
import type { Prisma } from "@/generated/prisma/client";
import { db } from "../db";

/**
 * The PostgreSQL channel the outbox workers LISTEN on (worker.ts): a notification means "claim again" —
 * a send was queued (lib/sends/queue-send.ts, inside its transaction, so it fires on commit) or a send
 * finished and freed a per-app slot for every instance (finish-send.ts). The payload is not used.
 */
export const OUTBOX_CHANNEL = "gmp_outbox";

export async function notifyOutbox(tx?: Prisma.TransactionClient): Promise<void> {
  await (tx ?? db()).$executeRaw`SELECT pg_notify(${OUTBOX_CHANNEL}, '')`;
}
