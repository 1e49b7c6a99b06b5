import { randomBytes } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../support/db";
import type { SessionUser } from "@/lib/auth/session";

let dropDb: () => Promise<void>;
let admin: SessionUser, auditor: SessionUser, alice: SessionUser, bob: SessionUser;
let tA: string, tB: string;
const T0 = Date.parse("2026-11-20T10:00:00.000Z");

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
  tA = (await db.tenant.create({ data: { name: "Contoso", directoryId: "contoso.com" } })).id;
  tB = (await db.tenant.create({ data: { name: "Fabrikam", directoryId: "fabrikam.com" } })).id;
  const mk = async (email: string, role: "admin" | "sender" | "auditor") => {
    const u = await db.user.create({ data: { email, role, name: email.split("@")[0] }, select: { id: true, name: true, email: true, role: true, tenantId: true } });
    return u as SessionUser;
  };
  admin = await mk("admin@example.com", "admin");
  auditor = await mk("audit@example.com", "auditor");
  alice = await mk("alice@contoso.com", "sender");
  bob = await mk("bob@contoso.com", "sender");
  const key = await db.apiKey.create({ data: { tenantId: tA, name: "nightly-report", hash: "h1", displayPrefix: "gmp_ab12" } });
  // 120 sends over only 8 distinct timestamps: pagination must break ties by id.
  const rows = Array.from({ length: 120 }, (_, i) => ({
    tenantId: i % 3 === 0 ? tB : tA,
    mode: (i % 10 === 0 ? "api" : "app") as "api" | "app",
    apiKeyId: i % 10 === 0 ? key.id : null,
    status: (i % 7 === 0 ? "failed" : i % 11 === 0 ? "queued" : "accepted") as "failed" | "queued" | "accepted",
    actorUserId: i % 2 === 0 ? alice.id : bob.id,
    fromAddress: i % 4 === 0 ? "HR-Welcome@Contoso.com" : "it-alerts@contoso.com",
    toAddresses: [`user${i}@contoso.com`],
    ccAddresses: i === 5 ? ["cc.person@fabrikam.com"] : [],
    bccAddresses: [],
    recipientCount: i === 5 ? 2 : 1,
    subject: i === 42 ? "Quarterly invoice Zebrafish" : `Welcome aboard number ${i}`,
    createdAt: new Date(T0 + (i % 8) * 60_000),
    completedAt: new Date(T0 + (i % 8) * 60_000 + 500),
  }));
  await db.send.createMany({ data: rows });
});

afterAll(async () => {
  const { db } = await import("@/lib/db");
  await db().$disconnect();
  await dropDb();
});

async function allPages(actor: SessionUser, filter = {}, limit = 17) {
  const { findSends } = await import("@/lib/history/find-sends");
  const pages: string[][] = [];
  let cursor: string | undefined;
  for (;;) {
    const p = await findSends(actor, filter, { cursor, limit });
    pages.push(p.rows.map((r) => r.id));
    if (!p.next) break;
    cursor = p.next;
  }
  return pages;
}

describe("history list (real PostgreSQL)", () => {
  it("pages through equal timestamps with no gaps or duplicates, forwards and back", async () => {
    const { findSends } = await import("@/lib/history/find-sends");
    const db = await lib();
    const expected = (await db.send.findMany({ orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: { id: true } })).map((r) => r.id);
    const pages = await allPages(admin);
    expect(pages.flat()).toEqual(expected);
    expect(pages).toHaveLength(Math.ceil(120 / 17));
    // Walk back from the last page with "prev" cursors: the same pages in reverse order.
    let p = await findSends(admin, {}, { limit: 17 });
    const cursors: (string | null)[] = [];
    while (p.next) {
      cursors.push(p.next);
      p = await findSends(admin, {}, { cursor: p.next, limit: 17 });
    }
    const back: string[][] = [p.rows.map((r) => r.id)];
    while (p.prev) {
      p = await findSends(admin, {}, { cursor: p.prev, dir: "prev", limit: 17 });
      back.unshift(p.rows.map((r) => r.id));
    }
    expect(back).toEqual(pages);
  });

  it("filters by status, sender (any case), recipient incl. Cc, actor, key, mode, tenant and dates", async () => {
    const { findSends } = await import("@/lib/history/find-sends");
    const db = await lib();
    const count = async (f: object) => (await allPages(admin, f, 200)).flat().length;
    expect(await count({ status: "failed" })).toBe(await db.send.count({ where: { status: "failed" } }));
    expect(await count({ sender: "hr-welcome@contoso.com" })).toBe(30);
    expect(await count({ recipient: "cc.person@fabrikam.com" })).toBe(1);
    expect(await count({ recipient: "user7@contoso.com" })).toBe(1);
    expect(await count({ actor: "alice@contoso.com" })).toBe(60);
    expect(await count({ key: "nightly-report" })).toBe(12);
    expect(await count({ key: "gmp_ab12", mode: "api" })).toBe(12);
    expect(await count({ tenant: tB })).toBe(40);
    expect(await count({ from: "2026-11-21" })).toBe(0);
    expect(await count({ from: "2026-11-20", to: "2026-11-20" })).toBe(120);
    const page = await findSends(admin, { status: "failed", tenant: tB });
    expect(page.rows.every((r) => r.status === "failed" && r.tenantName === "Fabrikam")).toBe(true);
  });

  it("searches subject words and address parts by prefix, and survives hostile input", async () => {
    const { findSends } = await import("@/lib/history/find-sends");
    const one = await findSends(admin, { q: "zebraf invoi" });
    expect(one.rows.map((r) => r.subject)).toEqual(["Quarterly invoice Zebrafish"]);
    expect((await findSends(admin, { q: "fabrikam" })).rows).toHaveLength(1); // the Cc domain
    // "welcome" is in every subject but #42 and in the HR sender address (#0, #4, …): 119 sends.
    expect((await allPages(admin, { q: "welcome" }, 200)).flat()).toHaveLength(119);
    const everything = (await allPages(admin, {}, 200)).flat().length;
    // Only letters and digits reach to_tsquery: tsquery operators, SQL and LIKE wildcards are no syntax,
    // and punctuation-only input matches nothing (no subject or address has these words).
    for (const q of ["'); DROP TABLE \"Send\"; --", "a:* | !b", "<script>", "%_\\", "@@@"]) {
      expect(await findSends(admin, { q }), q).toMatchObject({ rows: [], next: null });
    }
    // The same characters around a real word leave the word's match exactly as it was.
    for (const q of ["'zebraf' --", "zebraf:* | !", "%zebraf%", "'); zebraf; --"]) {
      expect((await findSends(admin, { q })).rows.map((r) => r.subject), q).toEqual(["Quarterly invoice Zebrafish"]);
    }
    expect((await allPages(admin, {}, 200)).flat()).toHaveLength(everything); // the table is intact
    await expect(findSends(admin, {}, { cursor: "bm90LWEtY3Vyc29y" })).rejects.toMatchObject({ code: "BAD_CURSOR" });
  });

  it("shows senders only their own sends; auditors and admins see every tenant's", async () => {
    const { findSends } = await import("@/lib/history/find-sends");
    const { findSend } = await import("@/lib/history/find-send");
    const alicePages = (await allPages(alice, {}, 50)).flat();
    expect(alicePages).toHaveLength(60);
    const db = await lib();
    const bobsSend = await db.send.findFirstOrThrow({ where: { actorUserId: bob.id }, select: { id: true } });
    expect(alicePages).not.toContain(bobsSend.id);
    // Even a filter naming Bob cannot widen Alice's view.
    expect((await findSends(alice, { actor: "bob@contoso.com" })).rows).toHaveLength(0);
    await expect(findSend(alice, bobsSend.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await findSend(bob, bobsSend.id)).id).toBe(bobsSend.id);
    expect((await allPages(auditor, {}, 200)).flat()).toHaveLength(120);
  });
});

describe("history export", () => {
  it("streams CSV in keyset batches with quoting and formula-injection protection", async () => {
    const db = await lib();
    const hostile = await db.send.create({
      data: {
        tenantId: tA, mode: "app", status: "failed", actorUserId: alice.id, fromAddress: "it-alerts@contoso.com",
        toAddresses: ["x@contoso.com"], ccAddresses: [], bccAddresses: [], recipientCount: 1,
        subject: '=HYPERLINK("http://evil","click"), and "quotes"\r\nline two', createdAt: new Date(T0 + 3600_000),
      },
    });
    const { exportStream, sendBatches } = await import("@/lib/history/export-sends");
    let batches = 0;
    let total = 0;
    for await (const b of sendBatches(admin, {}, 7)) {
      batches++;
      total += b.length;
    }
    expect(total).toBe(121);
    expect(batches).toBe(Math.ceil(121 / 7));
    const csv = (await new Response(exportStream(alice, { status: "failed" }, "csv")).text()).replace(/^\uFEFF/, "");
    const lines = csv.split("\r\n").filter(Boolean);
    expect(lines[0]).toMatch(/^id,created_at,completed_at,status,mode,tenant,actor/);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil"",""click""), and ""quotes""\r\nline two"`);
    const aliceFailed = await db.send.count({ where: { actorUserId: alice.id, status: "failed" } });
    // One header, then one record per send (the hostile subject spans two physical lines).
    expect(lines.length - 1 - 1).toBe(aliceFailed);
    const json = JSON.parse(await new Response(exportStream(admin, { q: "zebrafish" }, "json")).text()) as { subject: string; tenant: string }[];
    expect(json).toEqual([expect.objectContaining({ subject: "Quarterly invoice Zebrafish", tenant: "Fabrikam" })]);
    await db.send.delete({ where: { id: hostile.id } });
  });

  it("the CSV PostgreSQL formats is byte for byte what csvRow makes, hostile cells and batch edges included", async () => {
    const db = await lib();
    // Every guard and quote rule, in every text column the export writes (tenant and key names too).
    const nasty = ["=1+1", "+31 6", "-2", "@SUM(A1)", "\tlead tab", "\rlead cr", 'say "hi"', "a,b", "two\r\nlines", "lf\nonly", "plain", "", "ünïcödé ✉", "'quote"];
    const tenant = await db.tenant.create({ data: { name: '=cmd|" /C calc"!A0, Inc.', directoryId: "csv-tenant.example.com" }, select: { id: true } });
    const key = await db.apiKey.create({ data: { tenantId: tenant.id, name: "-key,with \"quotes\"", hash: "h-csv", displayPrefix: "gmp_csv1" } });
    const made = await Promise.all(
      nasty.map((v, i) =>
        db.send.create({
          data: {
            tenantId: tenant.id, mode: i % 2 ? "api" : "app", status: i % 3 ? "accepted" : "failed", actorUserId: i % 2 ? null : alice.id, apiKeyId: i % 2 ? key.id : null,
            fromAddress: `${v}@contoso.com`, toAddresses: [v, "b@contoso.com"], ccAddresses: i % 2 ? [] : [`=${v}`], bccAddresses: [v], recipientCount: 3 + i,
            subject: v, sizeBytes: 1000 * i, attemptCount: i, errorCode: i % 3 ? null : `-${v}`, attachments: i % 4 ? [] : [{ id: "a" }, { id: "b" }],
            createdAt: new Date(T0 + 7200_000 + i * 1000), completedAt: i % 2 ? new Date(T0 + 7200_000 + i * 1000 + 123) : null,
          },
          select: { id: true },
        }),
      ),
    );
    const { csvBatches, sendBatches } = await import("@/lib/history/export-sends");
    const { csvRow } = await import("@/lib/history/csv");
    const filter = { tenant: tenant.id };
    let expected = "";
    for await (const b of sendBatches(admin, filter, 4)) for (const r of b) expected += csvRow(r);
    let got = "";
    let batches = 0;
    for await (const t of csvBatches(admin, filter, 4)) {
      got += t;
      batches++;
    }
    expect(batches).toBe(Math.ceil(nasty.length / 4));
    expect(got).toBe(expected);
    expect(got).toContain(`"'=cmd|"" /C calc""!A0, Inc."`);
    await db.send.deleteMany({ where: { id: { in: made.map((m) => m.id) } } });
    await db.apiKey.delete({ where: { id: key.id } });
    await db.tenant.delete({ where: { id: tenant.id } });
  });

  it("csvCell prefixes formula starters and quotes separators", async () => {
    const { csvCell } = await import("@/lib/history/csv");
    expect(csvCell("=1+1")).toBe("'=1+1");
    expect(csvCell("+31 6")).toBe("'+31 6");
    expect(csvCell("-2")).toBe("'-2");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell(-2)).toBe("-2");
    expect(csvCell(null)).toBe("");
  });
});

describe("stats, send again and retention", () => {
  it("counts sends per day by status and each sender's busiest minute", async () => {
    const { sendStats } = await import("@/lib/history/send-stats");
    const s = await sendStats(admin, { from: "2026-11-19", to: "2026-11-20" });
    expect(s.bars.map((b) => b.day)).toEqual(["2026-11-19", "2026-11-20"]);
    const db = await lib();
    expect(s.bars[1]!.counts.accepted).toBe(await db.send.count({ where: { status: "accepted" } }));
    const hr = s.senders.find((x) => x.address === "hr-welcome@contoso.com")!;
    // HR sends are i % 4 == 0 → minute (i % 8) ∈ {0, 4}: 15 sends each, some failed/queued.
    expect(hr.peakPerMinute).toBeGreaterThan(5);
    expect(hr.peakPerMinute).toBeLessThanOrEqual(15);
    expect(hr.sends).toBe(await db.send.count({ where: { fromAddress: "HR-Welcome@Contoso.com", status: "accepted" } }));
  });

  it("sends a failed send again as a new queued send through the one queueing path, under today's grants, audited", async () => {
    const { sendAgain } = await import("@/lib/history/send-again");
    const db = await lib();
    const failed = await db.send.findFirstOrThrow({ where: { status: "failed", actorUserId: bob.id }, select: { id: true, fromAddress: true, tenantId: true } });
    await db.send.update({ where: { id: failed.id }, data: { body: "<p>hello</p>" } });
    // Someone else's send is not Alice's to see, so not hers to send again; auditors never send.
    await expect(sendAgain(alice, failed.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(sendAgain(auditor, failed.id)).rejects.toMatchObject({ code: "FORBIDDEN" });
    const ok = await db.send.findFirstOrThrow({ where: { status: "accepted" }, select: { id: true } });
    await expect(sendAgain(admin, ok.id)).rejects.toMatchObject({ code: "NOT_FAILED" });
    await db.send.update({ where: { id: failed.id }, data: { attachments: [{ id: "f".repeat(32), name: "a.pdf", size: 3 }] } });
    await expect(sendAgain(admin, failed.id)).rejects.toMatchObject({ code: "ATTACHMENTS_NOT_KEPT" });
    await db.send.update({ where: { id: failed.id }, data: { attachments: [] } });
    // The tenant is not connected and the admin holds no grant: refused, as compose would be.
    await expect(sendAgain(admin, failed.id)).rejects.toMatchObject({ code: "VALIDATION_FAILED", fields: { tenantId: expect.stringMatching(/no app registration/) } });
    await db.tenant.update({ where: { id: failed.tenantId }, data: { clientId: "00000000-0000-0000-0000-000000000001" } });
    await expect(sendAgain(admin, failed.id)).rejects.toMatchObject({ fields: { from: expect.stringMatching(/not a sender mailbox/) } });
    const m = await db.senderMailbox.create({ data: { tenantId: failed.tenantId, address: failed.fromAddress.toLowerCase() } });
    await expect(sendAgain(admin, failed.id)).rejects.toMatchObject({ fields: { from: expect.stringMatching(/You may not send as/) } });
    await db.senderGrant.create({ data: { mailboxId: m.id, userId: admin.id } });
    const copy = await sendAgain(admin, failed.id);
    const row = await db.send.findUniqueOrThrow({ where: { id: copy.id } });
    expect(row).toMatchObject({ status: "queued", actorUserId: admin.id, mode: "app", body: "<p>hello</p>" });
    expect(await db.auditEvent.count({ where: { action: "send.resent", target: copy.id } })).toBe(1);
    await db.send.delete({ where: { id: copy.id } });
    await db.senderMailbox.delete({ where: { id: m.id } });
    await db.tenant.update({ where: { id: failed.tenantId }, data: { clientId: null } });
  });

  it("validates and audits retention changes, and purges in batches keeping unsent mail", async () => {
    const { updateRetention } = await import("@/lib/history/update-retention");
    const { purgeSends } = await import("@/lib/history/purge-sends");
    const { retentionSchema } = await import("@/lib/schemas/history");
    expect(retentionSchema.safeParse({ tenantId: tA, retentionDays: "0" }).success).toBe(false);
    expect(retentionSchema.safeParse({ tenantId: tA, retentionDays: "3651" }).success).toBe(false);
    expect(retentionSchema.safeParse({ tenantId: tA, retentionDays: "12.5" }).success).toBe(false);
    expect(retentionSchema.parse({ tenantId: tA, retentionDays: "30", metadataOnly: "on" })).toEqual({ tenantId: tA, retentionDays: 30, metadataOnly: true });
    await expect(updateRetention(auditor, { tenantId: tA, retentionDays: 5, metadataOnly: false })).rejects.toMatchObject({ code: "FORBIDDEN" });

    const db = await lib();
    await db.send.updateMany({ where: { tenantId: tA }, data: { body: "<p>secret body</p>", attachments: [{ name: "a.pdf", size: 3, contentBytes: "QUJD" }] } });
    const now = new Date(T0 + 10 * 86_400_000); // 10 days after the seeded sends
    await updateRetention(admin, { tenantId: tA, retentionDays: 30, metadataOnly: true });
    await updateRetention(admin, { tenantId: tB, retentionDays: 7, metadataOnly: false });
    expect(await db.auditEvent.count({ where: { action: "tenant.retention.updated" } })).toBe(2);

    const bQueued = await db.send.count({ where: { tenantId: tB, status: "queued" } });
    const results = await purgeSends({ now, batch: 4 });
    expect(results.find((r) => r.tenantId === tB)!.deleted).toBe(40 - bQueued);
    expect(await db.send.count({ where: { tenantId: tB } })).toBe(bQueued); // queued mail is never purged
    const aFinished = await db.send.count({ where: { tenantId: tA, status: { in: ["accepted", "failed", "uncertain"] } } });
    expect(results.find((r) => r.tenantId === tA)).toEqual({ tenantId: tA, deleted: 0, stripped: aFinished });
    const kept = await db.send.findFirstOrThrow({ where: { tenantId: tA, status: "accepted" }, select: { body: true, attachments: true } });
    expect(kept).toEqual({ body: null, attachments: [{ name: "a.pdf", size: 3 }] });
    expect(await db.auditEvent.count({ where: { action: "history.purged" } })).toBe(2);
    const { listRetention } = await import("@/lib/history/list-retention");
    const shown = await listRetention(auditor);
    expect(shown.find((t) => t.id === tB)).toMatchObject({ retentionDays: 7, metadataOnly: false, sendCount: bQueued, lastPurge: { deleted: 40 - bQueued, stripped: 0 } });
    await expect(listRetention(alice)).rejects.toMatchObject({ code: "FORBIDDEN" });
    // Idempotent: a second run finds nothing to do.
    expect((await purgeSends({ now })).every((r) => r.deleted === 0 && r.stripped === 0)).toBe(true);
  });
});
