/**
 * Dead letters (issue 12): sends that failed after their retries are listed for admins with the reason;
 * an admin retries them (a new send through lib/sends/queue-send.ts, under the sender's grants as they
 * are now — a sender no longer granted is refused with the reason) or discards them, in bulk, audited.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
import type * as DbModule from "@/lib/db";
import type * as QueueSendModule from "@/lib/sends/queue-send";
import type * as ClaimModule from "@/lib/outbox/claim";
import type * as ProcessModule from "@/lib/outbox/process-send";
import type * as OptionsModule from "@/lib/outbox/options";
import type * as ListModule from "@/lib/dead-letters/list-dead-letters";
import type * as ResolveModule from "@/lib/dead-letters/resolve-dead-letters";

let env: PortalEnv;
let lib: {
  db: typeof DbModule.db;
  queueSend: typeof QueueSendModule.queueSend;
  claimSends: typeof ClaimModule.claimSends;
  processSend: typeof ProcessModule.processSend;
  outboxOptions: typeof OptionsModule.outboxOptions;
  listDeadLetters: typeof ListModule.listDeadLetters;
  retryDeadLetters: typeof ResolveModule.retryDeadLetters;
  discardDeadLetters: typeof ResolveModule.discardDeadLetters;
};
const person = (email: string, role: "admin" | "sender") => ({ id: "", name: email.split("@")[0]!, email, role, tenantId: null as string | null });
const admin = person("dl-admin@example.com", "admin");
const admin2 = person("dl-admin2@example.com", "admin");
const alice = person("dl-alice@example.com", "sender");
const bob = person("dl-bob@example.com", "sender");

beforeAll(async () => {
  env = await startPortalEnv("dead-letters", { senders: (e) => [e.mailboxes.shared, e.mailboxes.allowed] });
  lib = {
    db: (await import("@/lib/db")).db,
    queueSend: (await import("@/lib/sends/queue-send")).queueSend,
    claimSends: (await import("@/lib/outbox/claim")).claimSends,
    processSend: (await import("@/lib/outbox/process-send")).processSend,
    outboxOptions: (await import("@/lib/outbox/options")).outboxOptions,
    listDeadLetters: (await import("@/lib/dead-letters/list-dead-letters")).listDeadLetters,
    retryDeadLetters: (await import("@/lib/dead-letters/resolve-dead-letters")).retryDeadLetters,
    discardDeadLetters: (await import("@/lib/dead-letters/resolve-dead-letters")).discardDeadLetters,
  };
  for (const p of [admin, admin2, alice, bob]) p.id = (await lib.db().user.create({ data: { email: p.email, name: p.name, role: p.role } })).id;
  const box = (a: string) => lib.db().senderMailbox.findFirstOrThrow({ where: { tenantId: env.tenantId, address: a } });
  await lib.db().senderGrant.create({ data: { mailboxId: (await box(env.sb.endpoints.mailboxes.shared)).id, userId: alice.id } });
  await lib.db().senderGrant.create({ data: { mailboxId: (await box(env.sb.endpoints.mailboxes.allowed)).id, userId: bob.id } });
});

afterAll(async () => env?.close());

const o = () => lib.outboxOptions({ leaseMs: 30_000, timeoutMs: 20_000, maxTransientTries: 1 });
async function runAll() {
  const claims = await lib.claimSends("w-dl", { limit: 20, leaseMs: 30_000, pace: o().pace });
  return Promise.all(claims.map((c) => lib.processSend(c.id, c.lease, o())));
}
const queue = (who: typeof alice, from: string, subject: string) =>
  lib.queueSend({ actor: who, tenantId: env.tenantId, mode: "app", from, to: env.sb.endpoints.mailboxes.allowed, subject, body: "<p>dead letter</p>" });

describe("dead letters", () => {
  it("lists sends that failed after their retries, with the reason; admins only", async () => {
    const e = env.sb.endpoints;
    await env.sb.control("/faults", { rate: 1, statuses: [503], retryAfterSeconds: 1 });
    const a1 = await queue(alice, e.mailboxes.shared, "dl alice 1");
    const a2 = await queue(alice, e.mailboxes.shared, "dl alice 2");
    const b1 = await queue(bob, e.mailboxes.allowed, "dl bob 1");
    expect((await runAll()).sort()).toEqual(["failed", "failed", "failed"]);
    await env.sb.control("/faults", { rate: 0 });
    const { rows, total } = await lib.listDeadLetters(admin);
    expect(total).toBe(3);
    expect(rows.map((r) => r.id).sort()).toEqual([a1.id, a2.id, b1.id].sort());
    expect(rows[0]).toMatchObject({ errorCode: "serviceNotAvailable", errorMessage: expect.stringMatching(/gave up after 1 tries/) });
    await expect(lib.listDeadLetters(alice)).rejects.toMatchObject({ status: 403 });
    await expect(lib.retryDeadLetters(alice, [a1.id])).rejects.toMatchObject({ status: 403 });
    await expect(lib.discardDeadLetters(alice, [a1.id])).rejects.toMatchObject({ status: 403 });
  });

  it("retries in bulk under the CURRENT grants: a sender no longer granted is refused with the reason; both audited", async () => {
    // Bob loses his grant after his send failed.
    await lib.db().senderGrant.deleteMany({ where: { userId: bob.id } });
    const before = (await lib.listDeadLetters(admin)).rows;
    const out = await lib.retryDeadLetters(admin, before.map((r) => r.id));
    const bobs = before.find((r) => r.subject === "dl bob 1")!;
    expect(out.filter((x) => x.ok)).toHaveLength(2);
    expect(out.find((x) => x.id === bobs.id)).toMatchObject({ ok: false, reason: expect.stringMatching(/grant|not allowed|may not/i) });
    // The refused one stays listed; the retried ones point at their new sends, queued in Alice's name.
    expect((await lib.listDeadLetters(admin)).rows.map((r) => r.id)).toEqual([bobs.id]);
    const newIds = out.filter((x) => x.ok).map((x) => x.newId!);
    const copies = await lib.db().send.findMany({ where: { id: { in: newIds } } });
    expect(copies.map((c) => [c.status, c.actorUserId])).toEqual([["queued", alice.id], ["queued", alice.id]]);
    expect((await runAll()).sort()).toEqual(["accepted", "accepted"]);
    const audit = await lib.db().auditEvent.findMany({ where: { action: { startsWith: "dead-letter." } }, orderBy: { at: "asc" } });
    expect(audit.map((a) => [a.action, a.actorId]).sort()).toEqual([["dead-letter.retried", admin.id], ["dead-letter.retried", admin.id], ["dead-letter.retry-refused", admin.id]].sort());
    // A send that is not a dead letter (any more) is refused, naming the field.
    await expect(lib.retryDeadLetters(admin, [newIds[0]!])).rejects.toMatchObject({ code: "NOT_DEAD_LETTER", fields: { sendIds: expect.any(String) } });
  });

  it("two admins retrying the same dead letter at once queue it once", async () => {
    await lib.db().senderGrant.create({ data: { mailboxId: (await lib.db().senderMailbox.findFirstOrThrow({ where: { tenantId: env.tenantId, address: env.sb.endpoints.mailboxes.allowed } })).id, userId: bob.id } });
    const [bobs] = (await lib.listDeadLetters(admin)).rows;
    const results = await Promise.allSettled([lib.retryDeadLetters(admin, [bobs!.id]), lib.retryDeadLetters(admin2, [bobs!.id])]);
    const ok = results.flatMap((r) => (r.status === "fulfilled" ? r.value.filter((x) => x.ok) : []));
    expect(ok).toHaveLength(1);
    expect(await lib.db().send.count({ where: { subject: "dl bob 1" } })).toBe(2); // the dead letter and one retry
    await runAll();
  });

  it("discards in bulk, audited", async () => {
    await env.sb.control("/faults", { rate: 1, statuses: [503], retryAfterSeconds: 1 });
    const x = await queue(alice, env.sb.endpoints.mailboxes.shared, "dl discard 1");
    const y = await queue(alice, env.sb.endpoints.mailboxes.shared, "dl discard 2");
    await runAll();
    await env.sb.control("/faults", { rate: 0 });
    const out = await lib.discardDeadLetters(admin, [x.id, y.id]);
    expect(out.every((r) => r.ok)).toBe(true);
    expect((await lib.listDeadLetters(admin)).total).toBe(0);
    const s = await lib.db().send.findUniqueOrThrow({ where: { id: x.id } });
    expect(s).toMatchObject({ status: "failed", deadLetterResolution: "discarded", deadLetterResolvedById: admin.id });
    expect(await lib.db().auditEvent.count({ where: { action: "dead-letter.discarded", target: { in: [x.id, y.id] } } })).toBe(2);
  });
});
