import "server-only";
import { setTimeout as sleep } from "node:timers/promises";
import { db } from "../db";
import { kickSend } from "./worker";

const FINAL = ["accepted", "failed", "uncertain"];

/**
 * Hands sends to this instance's outbox worker and waits (bounded) until each has an outcome — for the
 * few places where a person waits on the answer (the wizard's restriction proof). Any instance's
 * worker may take them; the answer is read from the database either way.
 */
export async function awaitSends(ids: string[], timeoutMs = 45_000): Promise<Map<string, string>> {
  for (const id of ids) kickSend(id);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await db().send.findMany({ where: { id: { in: ids } }, select: { id: true, status: true } });
    const status = new Map(rows.map((r) => [r.id, r.status as string]));
    if (ids.every((id) => FINAL.includes(status.get(id) ?? "")) || Date.now() > deadline) return status;
    await sleep(250);
    for (const id of ids) if (!FINAL.includes(status.get(id) ?? "")) kickSend(id);
  }
}
