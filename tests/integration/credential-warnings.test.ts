import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestSandbox } from "m365-sandbox/helpers";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
import type * as DbModule from "@/lib/db";
import type * as Warnings from "@/lib/credentials/run-warnings";
import type * as AlertSetting from "@/lib/credentials/save-alert-setting";
import type * as List from "@/lib/credentials/list-credentials";
import type * as Claim from "@/lib/outbox/claim";
import type * as Process from "@/lib/outbox/process-send";
import type * as Options from "@/lib/outbox/options";

// The expiry warnings job against real PostgreSQL and the sandbox: thresholds 30/14/7/1 mailed once each
// (across runs), one runner at a time (advisory lock), queued through the outbox as the configuring
// admin's send, and the portal's clock following the sandbox clock (PORTAL_CLOCK_URL) as it is moved.
let sb: TestSandbox;
let env: PortalEnv;
let tenantId: string;
let db: typeof DbModule.db;
const admin = { id: "", name: "Ada", email: "ada@example.com", role: "admin" as const, tenantId: null as string | null };
const auditor = { id: "", name: "Aud", email: "aud@example.com", role: "auditor" as const, tenantId: null as string | null };
let L: {
  run: typeof Warnings.runCredentialWarnings;
  lockKey: number;
  save: typeof AlertSetting.saveAlertSetting;
  list: typeof List.listCredentials;
  claimSends: typeof Claim.claimSends;
  processSend: typeof Process.processSend;
  outboxOptions: typeof Options.outboxOptions;
};
const DAY = 86_400_000;

beforeAll(async () => {
  env = await startPortalEnv("warnings", { senders: (e) => [e.mailboxes.shared], env: (s) => ({ PORTAL_CLOCK_URL: `${s.endpoints.controlUrl}/clock` }) });
  sb = env.sb;
  tenantId = env.tenantId;
  db = (await import("@/lib/db")).db;
  const w = await import("@/lib/credentials/run-warnings");
  L = {
    run: w.runCredentialWarnings, lockKey: w.WARNINGS_LOCK_KEY,
    save: (await import("@/lib/credentials/save-alert-setting")).saveAlertSetting,
    list: (await import("@/lib/credentials/list-credentials")).listCredentials,
    claimSends: (await import("@/lib/outbox/claim")).claimSends,
    processSend: (await import("@/lib/outbox/process-send")).processSend,
    outboxOptions: (await import("@/lib/outbox/options")).outboxOptions,
  };
  admin.id = (await db().user.create({ data: { email: admin.email, name: admin.name, role: "admin" } })).id;
  auditor.id = (await db().user.create({ data: { email: auditor.email, name: auditor.name, role: "auditor" } })).id;
  // A second admin, who receives the warnings too (an address in the sandbox tenant, so delivery is visible).
  await db().user.create({ data: { email: sb.endpoints.mailboxes.allowed, name: "Second admin", role: "admin" } });
  const shared = await db().senderMailbox.findFirstOrThrow({ where: { tenantId } });
  await db().senderGrant.create({ data: { mailboxId: shared.id, userId: admin.id } });
  await db().tenant.update({ where: { id: tenantId }, data: { credentialExpires: new Date(Date.now() + 20 * DAY + 3_600_000) } });
  await db().apiKey.create({ data: { tenantId, name: "billing", hash: randomBytes(32).toString("hex"), displayPrefix: "gmp_abc", allowedSenders: [], expiresAt: new Date(Date.now() + 40 * DAY + 3_600_000) } });
});
afterAll(async () => env?.close());

const mailed = (rs: Awaited<ReturnType<typeof L.run>>[]) => rs.flatMap((r) => r.mailed.map((m) => `${m.subjectKey.split(":")[0]}@${m.threshold}`)).sort();
async function advanceDays(n: number) {
  await sb.control("/clock", { advanceSeconds: n * 86_400 });
  await new Promise((r) => setTimeout(r, 2_100)); // the portal re-reads the clock at most every 2 s
}

describe("credential expiry warnings", () => {
  it("lists every credential with days left on the portal clock; auditors read, senders do not", async () => {
    const { rows } = await L.list(auditor);
    expect(rows.map((r) => [r.type, r.daysLeft, r.state])).toEqual([["tenant", 20, "warning"], ["api-key", 40, "ok"]]);
    await expect(L.list({ ...auditor, id: admin.id, role: "sender" as never })).rejects.toMatchObject({ status: 403 });
  });

  it("does not mail without a configured mailbox, and only admins who may send as it can choose it", async () => {
    const r = await L.run();
    expect(r.mailed).toEqual([]);
    expect(r.unsent).toEqual([expect.objectContaining({ threshold: 30, reason: expect.stringMatching(/no warning mailbox/) })]);
    await expect(L.save(auditor, { tenantId, fromAddress: sb.endpoints.mailboxes.shared })).rejects.toMatchObject({ status: 403 });
    await expect(L.save(admin, { tenantId, fromAddress: sb.endpoints.mailboxes.allowed })).rejects.toMatchObject({ status: 422, fields: { fromAddress: expect.stringMatching(/cannot send as/) } });
    await L.save(admin, { tenantId, fromAddress: sb.endpoints.mailboxes.shared });
    expect(await db().auditEvent.count({ where: { action: "credential.alert-sender-set", actorId: admin.id } })).toBe(1);
  });

  it("takes one runner at a time (advisory lock) and mails each threshold once, across runs", async () => {
    const holder = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await holder.connect();
    try {
      await holder.query("SELECT pg_advisory_lock($1::bigint)", [L.lockKey]);
      expect(await L.run()).toEqual({ ran: false, mailed: [], unsent: [] });
    } finally {
      await holder.query("SELECT pg_advisory_unlock($1::bigint)", [L.lockKey]);
      await holder.end();
    }
    // Two runners at once: one mail in all.
    const both = await Promise.all([L.run(), L.run()]);
    expect(mailed(both)).toEqual(["tenant@30"]);
    expect(mailed([await L.run()])).toEqual([]);

    await advanceDays(7); // 13 days left: the 14-day warning
    expect(mailed([await L.run()])).toEqual(["tenant@14"]);
    expect(mailed([await L.run()])).toEqual([]);

    await advanceDays(12); // 1 day left (the 7-day warning skipped: only the smallest reached), the key at 21 days
    expect(mailed(await Promise.all([L.run(), L.run()]))).toEqual(["api-key@30", "tenant@1"]);
    expect(mailed([await L.run()])).toEqual([]);
    expect(await db().credentialWarning.count()).toBe(4);
  });

  it("queued the warnings as the configuring admin's application sends, delivered to every admin", async () => {
    const sends = await db().send.findMany({ where: { subject: { startsWith: "Credential expiry:" } }, orderBy: { createdAt: "asc" } });
    expect(sends).toHaveLength(4);
    expect(sends.every((s) => s.actorUserId === admin.id && s.mode === "app" && s.fromAddress === sb.endpoints.mailboxes.shared)).toBe(true);
    expect(sends[0]!.toAddresses).toEqual([admin.email, sb.endpoints.mailboxes.allowed.toLowerCase()]);
    const o = L.outboxOptions({ leaseMs: 30_000, timeoutMs: 20_000 });
    const claims = await L.claimSends("w-warn", { limit: 10, leaseMs: o.leaseMs, pace: { perMinute: 1000, concurrent: 10, recipientsPerDay: 100_000 } });
    expect(await Promise.all(claims.map((c) => L.processSend(c.id, c.lease, o)))).toEqual(["accepted", "accepted", "accepted", "accepted"]);
    const inbox = await sb.control<{ subject: string }[]>(`/messages?to=${encodeURIComponent(sb.endpoints.mailboxes.allowed)}`);
    expect(inbox.json.filter((m) => m.subject.startsWith("Credential expiry:")).map((m) => m.subject)).toEqual(expect.arrayContaining([expect.stringMatching(/App secret of Sandbox — 1 day left/), expect.stringMatching(/API key "billing" of Sandbox — 21 days left/)]));
    const audit = await db().auditEvent.findMany({ where: { action: "credential.warning-queued" } });
    expect(audit).toHaveLength(4);
    expect(audit.every((a) => a.actorId === admin.id)).toBe(true);
  });
});
