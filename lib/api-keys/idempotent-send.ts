import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { db } from "../db";
import { AppError } from "../errors";

/**
 * `Idempotency-Key` for POST /api/v1/messages (the IETF draft "The Idempotency-Key HTTP Header Field",
 * https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/): per API key, the first
 * request with a key claims it (an INSERT on the unique (apiKeyId, key) index, so exactly one of any
 * number of concurrent retries wins), queues the send and binds it to the claim in the Send's own
 * transaction. The others wait for that binding and answer with the same message id; a claim whose
 * request failed is released so a retry can try again, and one left pending by a crashed instance is
 * taken over after a minute. The same key with another body is a 422.
 */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const STALE_MS = 60_000;
const WAIT_MS = 15_000;

export type IdempotentResult = { id: string; replayed: boolean };

export const requestHash = (body: unknown): string => createHash("sha256").update(JSON.stringify(body)).digest("hex");

const mismatch = () =>
  new AppError("IDEMPOTENCY_MISMATCH", {
    userMessage: "This Idempotency-Key was used with a different request body. Use a new key for a new message.",
    status: 422,
    fields: { "Idempotency-Key": "Already used with a different request body" },
  });

async function claim(apiKeyId: string, key: string, hash: string): Promise<string | null> {
  const rows = await db().$queryRaw<{ id: string }[]>`
    INSERT INTO "IdempotencyRecord" ("id", "apiKeyId", "key", "requestHash")
    VALUES (${randomUUID()}, ${apiKeyId}, ${key}, ${hash})
    ON CONFLICT ("apiKeyId", "key") DO NOTHING
    RETURNING "id"`;
  return rows[0]?.id ?? null;
}

/** Takes over a claim left pending for a minute (its instance died between claiming and queueing). */
async function takeOver(id: string): Promise<boolean> {
  const n = await db().$executeRaw`
    UPDATE "IdempotencyRecord" SET "claimedAt" = now() WHERE "id" = ${id} AND "sendId" IS NULL AND "claimedAt" < now() - ${`${STALE_MS} milliseconds`}::interval`;
  return n === 1;
}

export async function idempotentSend(apiKeyId: string, key: string, body: unknown, queue: (claimId: string) => Promise<{ id: string }>): Promise<IdempotentResult> {
  const hash = requestHash(body);
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const mine = await claim(apiKeyId, key, hash);
    let claimId = mine;
    if (!claimId) {
      const r = await db().idempotencyRecord.findUnique({ where: { apiKeyId_key: { apiKeyId, key } }, select: { id: true, requestHash: true, sendId: true } });
      if (!r) continue; // released between our insert and read: claim again
      if (r.requestHash !== hash) throw mismatch();
      if (r.sendId) return { id: r.sendId, replayed: true };
      if (await takeOver(r.id)) claimId = r.id;
      else if (Date.now() > deadline) {
        throw new AppError("IDEMPOTENCY_IN_PROGRESS", { userMessage: "A request with this Idempotency-Key is still being processed. Retry in a few seconds.", status: 409 });
      } else {
        await sleep(50);
        continue;
      }
    }
    try {
      const sent = await queue(claimId);
      return { id: sent.id, replayed: false };
    } catch (err) {
      // Nothing was queued: release the claim so a corrected or later retry is not stuck behind it.
      await db().idempotencyRecord.deleteMany({ where: { id: claimId, sendId: null } });
      throw err;
    }
  }
}

/** Idempotency keys are kept 24 hours (purged by lib/api-keys/purge-idempotency.ts). */
export async function purgeIdempotencyRecords(olderThanMs = 24 * 3600_000): Promise<number> {
  const { count } = await db().idempotencyRecord.deleteMany({ where: { createdAt: { lt: new Date(Date.now() - olderThanMs) } } });
  return count;
}
