import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TestSandbox } from "m365-sandbox/helpers";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
// Types only: the modules themselves are imported after the environment is set (env() reads it once).
import type * as DbModule from "@/lib/db";
import type * as QueueModule from "@/lib/sends/queue-send";
import type * as ComposeOptionsModule from "@/lib/sends/compose-options";
import type * as SendAgainModule from "@/lib/history/send-again";
import type * as ClaimModule from "@/lib/outbox/claim";
import type * as ProcessModule from "@/lib/outbox/process-send";
import type * as OptionsModule from "@/lib/outbox/options";
import type * as StatusModule from "@/lib/sends/send-status";
import type * as AuthOptionsModule from "@/lib/auth/options";

// Who may send as which mailbox, against real PostgreSQL and the in-process sandbox tenant: the one
// queueing path, the worker's re-check at claim time, and who a Microsoft sign-in is.
let env: PortalEnv;
let sb: TestSandbox;
let tenantId: string;
type Actor = { id: string; name: string; email: string; role: "admin" | "sender" | "auditor"; tenantId: string | null };
const uniq = () => randomBytes(4).toString("hex");

const lib = {} as {
  db: typeof DbModule.db;
  queueSend: typeof QueueModule.queueSend;
  composeOptions: typeof ComposeOptionsModule.composeOptions;
  sendAgain: typeof SendAgainModule.sendAgain;
  claimSends: typeof ClaimModule.claimSends;
  processSend: typeof ProcessModule.processSend;
  outboxOptions: typeof OptionsModule.outboxOptions;
  getSendStatus: typeof StatusModule.getSendStatus;
  authOptions: typeof AuthOptionsModule.authOptions;
};

beforeAll(async () => {
  env = await startPortalEnv("trust", { senders: (e) => [e.mailboxes.shared, e.mailboxes.allowed] });
  sb = env.sb;
  tenantId = env.tenantId;
  Object.assign(lib, {
    db: (await import("@/lib/db")).db,
    queueSend: (await import("@/lib/sends/queue-send")).queueSend,
    composeOptions: (await import("@/lib/sends/compose-options")).composeOptions,
    sendAgain: (await import("@/lib/history/send-again")).sendAgain,
    claimSends: (await import("@/lib/outbox/claim")).claimSends,
    processSend: (await import("@/lib/outbox/process-send")).processSend,
    outboxOptions: (await import("@/lib/outbox/options")).outboxOptions,
    getSendStatus: (await import("@/lib/sends/send-status")).getSendStatus,
    authOptions: (await import("@/lib/auth/options")).authOptions,
  });
});

afterAll(async () => env?.close());

beforeEach(async () => {
  await lib.db().send.deleteMany({});
  await lib.db().mailboxPace.deleteMany({});
});

async function person(role: Actor["role"] = "sender", extra: { passwordHash?: string; email?: string } = {}): Promise<Actor> {
  const email = extra.email ?? `p.${uniq()}@example.com`;
  const u = await lib.db().user.create({ data: { email, name: `P ${email}`, role, passwordHash: extra.passwordHash } });
  return { id: u.id, name: u.name!, email, role, tenantId: null };
}

async function mailbox(address: string) {
  return lib.db().senderMailbox.findFirstOrThrow({ where: { tenantId, address } });
}

async function grant(who: Actor, address: string) {
  return lib.db().senderGrant.create({ data: { mailboxId: (await mailbox(address)).id, userId: who.id } });
}

const message = (from: string, extra: Record<string, unknown> = {}) => ({ tenantId, mode: "app", from, to: sb.endpoints.mailboxes.allowed, subject: `trust ${uniq()}`, body: "<p>Hi</p>", ...extra });

async function runOutbox() {
  const o = lib.outboxOptions({ leaseMs: 30_000, timeoutMs: 20_000 });
  const ids = await lib.claimSends("w-trust", { limit: 10, leaseMs: o.leaseMs, pace: o.pace });
  return Promise.all(ids.map((c) => lib.processSend(c.id, c.lease, o)));
}

async function deliveredCount(subject: string) {
  const r = await sb.control<{ subject: string }[]>(`/messages?subject=${encodeURIComponent(subject)}`);
  return r.json.filter((m) => m.subject === subject).length;
}

describe("sender grants through the one queueing path", () => {
  it("a second sender can neither see nor use a mailbox granted only to the first", async () => {
    const shared = sb.endpoints.mailboxes.shared;
    const first = await person();
    const second = await person();
    await grant(first, shared);

    expect((await lib.composeOptions(first)).flatMap((t) => t.senders.map((s) => s.address))).toEqual([shared]);
    expect(await lib.composeOptions(second)).toEqual([]);

    await expect(lib.queueSend({ actor: second, ...message(shared) })).rejects.toMatchObject({ status: 422, fields: { from: expect.stringMatching(/You may not send as/) } });
    const refused = await lib.db().auditEvent.findFirst({ where: { action: "send.refused", actorId: second.id } });
    expect(refused?.after).toMatchObject({ reason: "NOT_GRANTED" });

    const { id } = await lib.queueSend({ actor: first, ...message(shared) });
    expect(await lib.db().send.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "queued", actorUserId: first.id, test: false });
  });

  it("admins are granted nothing implicitly; a grant to a portal group lets each member send", async () => {
    const admin = await person("admin");
    const shared = sb.endpoints.mailboxes.shared;
    await expect(lib.queueSend({ actor: admin, ...message(shared) })).rejects.toMatchObject({ fields: { from: expect.stringMatching(/You may not send as/) } });
    const group = await lib.db().portalGroup.create({ data: { name: `HR ${uniq()}`, members: { create: { userId: admin.id } } } });
    await lib.db().senderGrant.create({ data: { mailboxId: (await mailbox(shared)).id, groupId: group.id } });
    await expect(lib.queueSend({ actor: admin, ...message(shared) })).resolves.toMatchObject({ id: expect.any(String) });
    expect((await lib.composeOptions(admin))[0]?.senders.map((s) => s.address)).toEqual([shared]);
  });

  it("an auditor or a disabled person cannot queue; a test send is for admins only", async () => {
    const auditor = await person("auditor");
    await expect(lib.queueSend({ actor: auditor, ...message(sb.endpoints.mailboxes.shared) })).rejects.toMatchObject({ status: 403 });
    const sender = await person();
    await grant(sender, sb.endpoints.mailboxes.shared);
    await expect(lib.queueSend({ actor: sender, ...message(sb.endpoints.mailboxes.outsidePolicy) }, { test: true })).rejects.toMatchObject({ status: 403 });
    await lib.db().user.update({ where: { id: sender.id }, data: { disabled: true } });
    // The session object still says "sender": the database is asked, not the caller.
    await expect(lib.queueSend({ actor: sender, ...message(sb.endpoints.mailboxes.shared) })).rejects.toMatchObject({ status: 403 });
  });

  it("revoking a grant while a send is queued fails that send with the reason, and nothing is sent", async () => {
    const sender = await person();
    const g = await grant(sender, sb.endpoints.mailboxes.shared);
    const m = message(sb.endpoints.mailboxes.shared);
    const { id } = await lib.queueSend({ actor: sender, ...m });
    await lib.db().senderGrant.delete({ where: { id: g.id } });
    expect(await runOutbox()).toEqual(["failed"]);
    const status = await lib.getSendStatus(sender, id);
    expect(status).toMatchObject({ status: "failed", errorCode: "NOT_GRANTED" });
    expect(status.explanation).toMatchObject({ title: "The portal stopped this send", detail: `The permission to send as ${sb.endpoints.mailboxes.shared} was removed after this mail was queued.` });
    expect(status.attempts).toEqual([expect.objectContaining({ operation: "policy", outcome: "refused", httpStatus: null })]);
    expect(await deliveredCount(m.subject)).toBe(0);
  });

  it("a disabled person's queued sends, a demoted person's and a removed mailbox's are not sent", async () => {
    const a = await person();
    const b = await person();
    const c = await person();
    for (const p of [a, b, c]) await grant(p, sb.endpoints.mailboxes.allowed);
    const ma = message(sb.endpoints.mailboxes.allowed);
    const mb = message(sb.endpoints.mailboxes.allowed);
    await lib.queueSend({ actor: a, ...ma });
    await lib.queueSend({ actor: b, ...mb });
    await lib.db().user.update({ where: { id: a.id }, data: { disabled: true } });
    await lib.db().user.update({ where: { id: b.id }, data: { role: "auditor" } });
    expect(await runOutbox()).toEqual(["failed", "failed"]);
    const sends = await lib.db().send.findMany({ select: { actorUserId: true, errorCode: true, errorMessage: true } });
    expect(sends.find((s) => s.actorUserId === a.id)).toMatchObject({ errorCode: "ACTOR_INACTIVE" });
    expect(sends.find((s) => s.actorUserId === b.id)).toMatchObject({ errorCode: "ROLE_CANNOT_SEND", errorMessage: expect.stringMatching(/became auditor after it was queued/) });
    expect(await deliveredCount(ma.subject)).toBe(0);
    expect(await deliveredCount(mb.subject)).toBe(0);

    const mc = message(sb.endpoints.mailboxes.allowed);
    await lib.queueSend({ actor: c, ...mc });
    await lib.db().senderMailbox.updateMany({ where: { tenantId, address: sb.endpoints.mailboxes.allowed }, data: { allowed: false } });
    expect(await runOutbox()).toEqual(["failed"]);
    expect(await lib.db().send.findFirst({ where: { actorUserId: c.id } })).toMatchObject({ errorCode: "MAILBOX_NOT_LISTED" });
    expect(await deliveredCount(mc.subject)).toBe(0);
    await lib.db().senderMailbox.updateMany({ where: { tenantId, address: sb.endpoints.mailboxes.allowed }, data: { allowed: true } });
  });

  it("a granted send still goes out (the re-check lets it through)", async () => {
    const sender = await person();
    await grant(sender, sb.endpoints.mailboxes.shared);
    const m = message(sb.endpoints.mailboxes.shared);
    await lib.queueSend({ actor: sender, ...m });
    expect(await runOutbox()).toEqual(["accepted"]);
    expect(await deliveredCount(m.subject)).toBe(1);
  });

  it("send again goes through the same path under the current person's grants", async () => {
    const owner = await person();
    const other = await person();
    await grant(owner, sb.endpoints.mailboxes.shared);
    const failed = await lib.db().send.create({
      data: { tenantId, mode: "app", status: "failed", actorUserId: owner.id, fromAddress: sb.endpoints.mailboxes.shared, toAddresses: [sb.endpoints.mailboxes.allowed], recipientCount: 1, subject: `again ${uniq()}`, body: "x" },
    });
    // Someone else's send is not theirs to see.
    await expect(lib.sendAgain(other, failed.id)).rejects.toMatchObject({ status: 404 });
    // An admin who can see it, but holds no grant for the mailbox, is refused by the grant check.
    const admin = await person("admin");
    await expect(lib.sendAgain(admin, failed.id)).rejects.toMatchObject({ fields: { from: expect.stringMatching(/You may not send as/) } });
    const copy = await lib.sendAgain(owner, failed.id);
    expect(await lib.db().send.findUniqueOrThrow({ where: { id: copy.id } })).toMatchObject({ status: "queued", mode: "app", actorUserId: owner.id });
    await lib.db().senderGrant.deleteMany({ where: { userId: owner.id } });
    await expect(lib.sendAgain(owner, failed.id)).rejects.toMatchObject({ status: 422 });
  });
});

describe("who a Microsoft sign-in is", () => {
  const microsoft = { provider: "microsoft", type: "oauth" as const, providerAccountId: "x" };
  async function signIn(claims: { tid: string; oid: string; email?: string; preferredUsername?: string; name?: string }, opts: { tenant?: string; link?: string } = {}) {
    const user = { id: claims.oid, name: claims.name ?? "Someone", email: claims.email ?? "", preferredUsername: claims.preferredUsername, tenantId: opts.tenant ?? tenantId, tid: claims.tid, oid: claims.oid };
    const signInCallback = lib.authOptions(opts.tenant ?? tenantId, null, opts.link ?? null).callbacks!.signIn!;
    const result = await signInCallback({ user, account: microsoft, profile: undefined } as never);
    return { result, userId: user.id };
  }
  const tid = () => sb.endpoints.tenant.id;

  it("a sign-in whose email equals a local admin's address does not become that admin", async () => {
    const admin = await person("admin", { passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$x$y", email: `boss.${uniq()}@contoso.sandbox` });
    const { result, userId } = await signIn({ tid: tid(), oid: randomUUID(), email: admin.email, preferredUsername: admin.email });
    expect(result).toBe(`/sign-in/waiting?tenant=${encodeURIComponent(tenantId)}`);
    expect(userId).not.toBe(admin.id);
    expect(await lib.db().user.findUniqueOrThrow({ where: { id: admin.id } })).toMatchObject({ entraObjectId: null, entraTid: null, role: "admin" });
    expect(await lib.db().accessRequest.count({ where: { email: admin.email } })).toBe(1);
  });

  it("a token from another directory is refused with a clear reason, and audited", async () => {
    const other = randomUUID();
    const { result } = await signIn({ tid: other, oid: randomUUID(), email: `x.${uniq()}@fabrikam.com` });
    expect(result).toBe("/sign-in?error=WrongDirectory");
    const ev = await lib.db().auditEvent.findFirst({ where: { action: "auth.sign-in-refused", tenantId }, orderBy: { at: "desc" } });
    expect(ev?.after).toMatchObject({ reason: "token from another directory", tid: other });
  });

  it("invitation binds (tid, oid) at first sign-in; afterwards the address plays no part", async () => {
    const email = `new.${uniq()}@contoso.sandbox`;
    await lib.db().tenant.update({ where: { id: tenantId }, data: { admission: "invitation" } });
    const oid = randomUUID();
    expect((await signIn({ tid: tid(), oid, email })).result).toBe("/sign-in?error=NotInvited");
    await lib.db().invitation.create({ data: { tenantId, email, role: "auditor", expiresAt: new Date(Date.now() + 86_400_000) } });
    const first = await signIn({ tid: tid(), oid, email });
    expect(first.result).toBe(true);
    expect(await lib.db().user.findUniqueOrThrow({ where: { id: first.userId } })).toMatchObject({ role: "auditor", entraTid: tid(), entraObjectId: oid, tenantId });
    // Another identity with the same address finds the invitation used: not admitted.
    expect((await signIn({ tid: tid(), oid: randomUUID(), email })).result).toBe("/sign-in?error=NotInvited");
    // The same identity under a changed address is still the same person.
    const again = await signIn({ tid: tid(), oid, email: `renamed.${uniq()}@contoso.sandbox` });
    expect(again).toMatchObject({ result: true, userId: first.userId });
    await lib.db().tenant.update({ where: { id: tenantId }, data: { admission: "approval" } });
  });

  it("automatic admission gives the tenant's chosen role; a disabled account is refused", async () => {
    await lib.db().tenant.update({ where: { id: tenantId }, data: { admission: "automatic", admissionRole: "auditor" } });
    const oid = randomUUID();
    const { result, userId } = await signIn({ tid: tid(), oid, email: `auto.${uniq()}@contoso.sandbox` });
    expect(result).toBe(true);
    expect(await lib.db().user.findUniqueOrThrow({ where: { id: userId } })).toMatchObject({ role: "auditor" });
    await lib.db().user.update({ where: { id: userId }, data: { disabled: true } });
    expect((await signIn({ tid: tid(), oid })).result).toBe("/sign-in?error=AccountDisabled");
    await lib.db().tenant.update({ where: { id: tenantId }, data: { admission: "approval", admissionRole: "sender" } });
  });

  it("a signed-in local admin links a Microsoft identity explicitly; one already held by someone else is refused", async () => {
    const admin = await person("admin", { passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$x$y" });
    const oid = randomUUID();
    const linked = await signIn({ tid: tid(), oid, email: `whoever.${uniq()}@contoso.sandbox` }, { link: admin.id });
    expect(linked).toMatchObject({ result: true, userId: admin.id });
    expect(await lib.db().user.findUniqueOrThrow({ where: { id: admin.id } })).toMatchObject({ entraTid: tid(), entraObjectId: oid, role: "admin" });
    // Next time the Microsoft sign-in alone is that admin.
    expect(await signIn({ tid: tid(), oid })).toMatchObject({ result: true, userId: admin.id });
    const someoneElse = await person("sender", { passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$x$z" });
    expect((await signIn({ tid: tid(), oid }, { link: someoneElse.id })).result).toBe("/settings?link=taken");
    expect((await signIn({ tid: randomUUID(), oid: randomUUID() }, { link: someoneElse.id })).result).toBe("/settings?link=wrong-directory");
  });
});
