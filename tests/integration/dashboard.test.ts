import { randomBytes } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../support/db";
import type { SessionUser } from "@/lib/auth/session";

/**
 * The dashboard's queries against real PostgreSQL: the counts behind "is mail flowing?", scoped to the
 * actor in SQL (a sender counts their own sends only), without the setup wizard's restriction tests.
 */
let dropDb: () => Promise<void>;
let admin: SessionUser, auditor: SessionUser, alice: SessionUser, bob: SessionUser;
let tDone: string, tHalf: string, tUnproved: string;
const NOW = new Date("2026-11-20T15:00:00.000Z");
const H = 3_600_000;
const at = (msBeforeNow: number) => new Date(NOW.getTime() - msBeforeNow);

async function lib() {
  const { db } = await import("@/lib/db");
  return db();
}

beforeAll(async () => {
  const created = await createTestDatabase();
  dropDb = created.drop;
  process.env.DATABASE_URL = created.url;
  process.env.PORTAL_SECRET_KEY = randomBytes(32).toString("hex");
  process.env.PORTAL_DATA_DIR = await mkdtemp(path.join(os.tmpdir(), "gmp-data-"));
  const db = await lib();
  const proved = { restriction: { groupAddress: "g@contoso.com", createGroup: true, mailboxes: ["hr@contoso.com"], scopeName: "s", savedAt: NOW.toISOString(), status: "proved" } };
  const scripted = { restriction: { ...proved.restriction, status: "scripted" } };
  tDone = (await db.tenant.create({ data: { name: "Contoso", directoryId: "contoso.com", wizardStep: "done", wizardData: proved } })).id;
  tHalf = (await db.tenant.create({ data: { name: "Fabrikam", directoryId: "fabrikam.com", wizardStep: "consent" } })).id;
  tUnproved = (await db.tenant.create({ data: { name: "Northwind", directoryId: "northwind.com", wizardStep: "done", wizardData: scripted } })).id;
  const mk = async (email: string, role: "admin" | "sender" | "auditor") =>
    (await db.user.create({ data: { email, role, name: email.split("@")[0] }, select: { id: true, name: true, email: true, role: true, tenantId: true } })) as SessionUser;
  admin = await mk("admin@example.com", "admin");
  auditor = await mk("audit@example.com", "auditor");
  alice = await mk("alice@contoso.com", "sender");
  bob = await mk("bob@contoso.com", "sender");
  const base = { tenantId: tDone, mode: "app" as const, toAddresses: ["x@fabrikam.com"], ccAddresses: [], bccAddresses: [], subject: "s" };
  type Row = { actor: SessionUser; status: "accepted" | "failed" | "uncertain" | "queued"; from: string; ago: number; rc?: number; test?: boolean; delivery?: string; resolved?: boolean; next?: Date };
  const rows: Row[] = [
    // Today (since midnight UTC, 15 h ago): alice 2 accepted in the same minute + 1 failed; bob 1 accepted.
    { actor: alice, status: "accepted", from: "hr@contoso.com", ago: 1 * H, rc: 3 },
    { actor: alice, status: "accepted", from: "HR@contoso.com", ago: 1 * H - 1000, rc: 2, delivery: "failed" },
    { actor: alice, status: "failed", from: "hr@contoso.com", ago: 2 * H },
    { actor: bob, status: "accepted", from: "it@contoso.com", ago: 3 * H, rc: 5 },
    // The setup wizard's Prove step: a 202 inside and the intended 403 outside — never counted.
    { actor: admin, status: "accepted", from: "hr@contoso.com", ago: 30 * 60_000, test: true },
    { actor: admin, status: "failed", from: "ceo@contoso.com", ago: 30 * 60_000, test: true },
    // Queued, held back by pacing until later.
    { actor: alice, status: "queued", from: "hr@contoso.com", ago: 60_000, next: new Date(NOW.getTime() + 30_000) },
    // Yesterday: alice 1 before this time of day (30 h ago), bob 1 after it (17 h ago).
    { actor: alice, status: "accepted", from: "hr@contoso.com", ago: 30 * H },
    { actor: bob, status: "uncertain", from: "it@contoso.com", ago: 17 * H },
    // Older: a dead letter 20 days ago (outside the 7-day window, still listed) and a resolved one.
    { actor: bob, status: "failed", from: "it@contoso.com", ago: 20 * 24 * H },
    { actor: alice, status: "failed", from: "hr@contoso.com", ago: 21 * 24 * H, resolved: true },
  ];
  for (const r of rows) {
    await db.send.create({
      data: {
        ...base, actorUserId: r.actor.id, status: r.status, fromAddress: r.from, recipientCount: r.rc ?? 1, test: r.test ?? false,
        deliveryState: r.delivery ?? null, createdAt: at(r.ago), completedAt: r.status === "queued" ? null : at(r.ago - 500), nextAttemptAt: r.next ?? null,
        deadLetterResolvedAt: r.resolved ? at(r.ago - H) : null, deadLetterResolution: r.resolved ? "discarded" : null,
      },
    });
  }
});

afterAll(async () => {
  const { db } = await import("@/lib/db");
  await db().$disconnect();
  await dropDb();
});

describe("dashboard counts (real PostgreSQL)", () => {
  it("counts today against yesterday, and the failures needing action, for an admin — without the wizard's tests", async () => {
    const { sendCounts } = await import("@/lib/dashboard/send-counts");
    const c = await sendCounts(admin, NOW);
    expect(c).toEqual({
      today: 5, acceptedToday: 3, inProgressToday: 1, yesterday: 2, yesterdaySoFar: 1,
      failuresFrom: "2026-11-14", failed: 1, uncertain: 1, notDelivered: 1, deadLetters: 2,
    });
    // An auditor sees the same sends as an admin.
    expect(await sendCounts(auditor, NOW)).toEqual(c);
  });

  it("scopes a sender to their own sends in the query", async () => {
    const { sendCounts } = await import("@/lib/dashboard/send-counts");
    expect(await sendCounts(alice, NOW)).toMatchObject({ today: 4, acceptedToday: 2, inProgressToday: 1, yesterday: 1, yesterdaySoFar: 1, failed: 1, uncertain: 0, notDelivered: 1, deadLetters: 1 });
    expect(await sendCounts(bob, NOW)).toMatchObject({ today: 1, acceptedToday: 1, yesterday: 1, yesterdaySoFar: 0, failed: 0, uncertain: 1, notDelivered: 0, deadLetters: 1 });
  });

  it("measures each mailbox's last 24 hours against Exchange's limits, per actor", async () => {
    const { mailboxQuota } = await import("@/lib/dashboard/mailbox-quota");
    const all = await mailboxQuota(admin, NOW);
    // Busiest first. hr: 3 + 2 recipients in one minute (the send 30 h ago is outside the window); the wizard's test is left out.
    expect(all).toEqual([
      { address: "it@contoso.com", sends: 2, peakPerMinute: 1, peakRecipientsPerDay: 6, waiting: 0 },
      { address: "hr@contoso.com", sends: 2, peakPerMinute: 2, peakRecipientsPerDay: 5, waiting: 1 },
    ]);
    expect(await mailboxQuota(bob, NOW)).toEqual([{ address: "it@contoso.com", sends: 2, peakPerMinute: 1, peakRecipientsPerDay: 6, waiting: 0 }]);
    expect((await mailboxQuota(alice, NOW)).map((r) => r.address)).toEqual(["hr@contoso.com"]);
  });

  it("lists tenants not set up or not proved for admins and auditors, none for senders", async () => {
    const { tenantAttention } = await import("@/lib/dashboard/tenant-attention");
    const items = await tenantAttention(admin);
    expect(items.map((i) => [i.tenantName, i.kind, i.href])).toEqual([
      ["Fabrikam", "setup", `/setup/${tHalf}/consent`],
      ["Northwind", "proof", `/setup/${tUnproved}/prove`],
    ]);
    expect(items.some((i) => i.tenantId === tDone)).toBe(false);
    expect(await tenantAttention(auditor)).toEqual(items);
    expect(await tenantAttention(alice)).toEqual([]);
  });

  it("puts it together for the page, scoped the same way", async () => {
    const { dashboardSummary } = await import("@/lib/dashboard/summary");
    const forAlice = await dashboardSummary(alice, NOW);
    expect(forAlice.tenantCount).toBeNull();
    expect(forAlice.canSend).toBe(true);
    expect(forAlice.counts.today).toBe(4);
    const todayBar = forAlice.bars.find((b) => b.day === "2026-11-20");
    expect(todayBar?.counts).toEqual({ accepted: 1, undelivered: 1, failed: 1, queued: 1 });
    const forAuditor = await dashboardSummary(auditor, NOW);
    expect(forAuditor.canSend).toBe(false);
    expect(forAuditor.tenantCount).toBe(3);
    expect(forAuditor.pendingRequests).toBe(0);
  });
});

describe("History and the setup wizard's restriction tests", () => {
  it("leaves them out by default; the filter includes them or shows only them — for people, never for a sender's view of others", async () => {
    const { findSends } = await import("@/lib/history/find-sends");
    const { historyFilterSchema } = await import("@/lib/schemas/history");
    const subjects = async (actor: SessionUser, raw: Record<string, string>) => {
      const page = await findSends(actor, historyFilterSchema.parse(raw), { limit: 200 });
      return { n: page.rows.length, tests: page.rows.filter((r) => r.test).length };
    };
    expect(await subjects(admin, {})).toEqual({ n: 9, tests: 0 });
    expect(await subjects(admin, { tests: "include" })).toEqual({ n: 11, tests: 2 });
    expect(await subjects(admin, { tests: "only" })).toEqual({ n: 2, tests: 2 });
    // The admin's tests are the admin's sends: a sender asking for them still sees only their own.
    expect(await subjects(alice, { tests: "only" })).toEqual({ n: 0, tests: 0 });
    expect(historyFilterSchema.safeParse({ tests: "all" }).error?.issues[0]?.message).toBe("Choose whether to show setup wizard tests from the list.");
  });
});
