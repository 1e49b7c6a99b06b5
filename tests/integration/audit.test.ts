import { randomBytes } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../support/db";
import { parseCsv } from "../support/csv";
import type { SessionUser } from "@/lib/auth/session";
import type { AuditFilter } from "@/lib/schemas/audit";

let dropDb: () => Promise<void>;
let admin: SessionUser, auditor: SessionUser, sender: SessionUser, quiet: SessionUser;
let tA: string, tB: string;
const DAY = 86_400_000;
const T0 = Date.parse("2026-11-20T10:00:00.000Z");

async function lib() {
  const { db } = await import("@/lib/db");
  return db();
}

/** The whole filtered trail, page by page (default page size), following "Older". */
async function walk(actor: SessionUser, filter: AuditFilter) {
  const { listAudit } = await import("@/lib/audit/list-audit");
  const pages: string[][] = [];
  let cursor: string | undefined;
  for (;;) {
    const p = await listAudit(actor, filter, { cursor });
    pages.push(p.rows.map((r) => r.id));
    if (!p.next) return pages;
    cursor = p.next;
  }
}

async function list(filter: AuditFilter, actor = admin) {
  const { listAudit } = await import("@/lib/audit/list-audit");
  return (await listAudit(actor, filter, { limit: 200 })).rows;
}

beforeAll(async () => {
  const created = await createTestDatabase();
  dropDb = created.drop;
  process.env.DATABASE_URL = created.url;
  process.env.PORTAL_SECRET_KEY = randomBytes(32).toString("hex");
  process.env.PORTAL_DATA_DIR = await mkdtemp(path.join(os.tmpdir(), "gmp-data-"));
  const db = await lib();
  const { recordAudit } = await import("@/lib/audit/record");
  tA = (await db.tenant.create({ data: { name: "Contoso", directoryId: "contoso.com" } })).id;
  tB = (await db.tenant.create({ data: { name: "Fabrikam", directoryId: "fabrikam.com" } })).id;
  const mk = async (email: string, name: string | null, role: "admin" | "sender" | "auditor") =>
    (await db.user.create({ data: { email, role, name }, select: { id: true, name: true, email: true, role: true, tenantId: true } })) as SessionUser;
  admin = await mk("ada@example.com", "Ada Lovelace", "admin");
  auditor = await mk("ivy@example.com", "Ivy Auditor", "auditor");
  sender = await mk("sam@contoso.com", "Sam Sender", "sender");
  // An admin without a name (its events carry no actorName): found by email only.
  quiet = await mk("quiet.admin@fabrikam.com", null, "admin");

  const at = async (day: number) => {
    const last = await db.auditEvent.findFirstOrThrow({ orderBy: [{ at: "desc" }, { id: "desc" }] });
    await db.auditEvent.update({ where: { id: last.id }, data: { at: new Date(T0 + day * DAY) } });
  };
  await recordAudit({ actor: admin, action: "user.updated", target: "sam@contoso.com", before: { role: "sender", disabled: false }, after: { role: "auditor", disabled: false } });
  await at(0);
  await recordAudit({ actor: admin, action: "tenant.created", target: "Contoso", tenantId: tA, after: { name: "Contoso", cloud: "global" } });
  await at(1);
  await recordAudit({
    actor: quiet,
    action: "tenant.credential-set",
    target: "Fabrikam",
    tenantId: tB,
    before: { kind: "none" },
    after: { kind: "secret", clientSecret: "Xy8Q~very-secret-value", nested: { refreshToken: "0.AAA-refresh" }, expires: "2027-06-01" },
  });
  await at(2);
  await recordAudit({ actor: null, action: "history.purged", target: "Fabrikam", tenantId: tB, after: { deleted: 3 } });
  await at(3);
  await recordAudit({ actor: admin, action: "tenant.updated", target: '=HYPERLINK("http://evil.invalid","x")', tenantId: tA, before: { name: "Old" }, after: { name: "New, \"quoted\"" } });
  await at(4);
  await recordAudit({ actor: admin, action: "tenant.updated", target: "100%_done 'quoted' <b>bold</b>", tenantId: tA });
  await at(5);
  // 120 events over only 8 distinct timestamps: paging must break ties by id.
  for (let i = 0; i < 120; i++) await recordAudit({ actor: auditor, action: "bulk.seeded", target: `row ${i}`, after: { i } });
  const seeded = await db.auditEvent.findMany({ where: { action: "bulk.seeded" }, select: { id: true } });
  for (const [i, r] of seeded.entries()) await db.auditEvent.update({ where: { id: r.id }, data: { at: new Date(T0 + 10 * DAY + (i % 8) * 60_000) } });
});

afterAll(async () => {
  const { db } = await import("@/lib/db");
  await db().$disconnect();
  await dropDb();
});

describe("audit trail (real PostgreSQL)", () => {
  it("pages 120 events 50 at a time, newest first, with no duplicates or gaps, and back again", async () => {
    const db = await lib();
    const expected = (
      await db.auditEvent.findMany({ where: { action: "bulk.seeded" }, orderBy: [{ at: "desc" }, { id: "desc" }], select: { id: true } })
    ).map((r) => r.id);
    const pages = await walk(admin, { action: "bulk.seeded" });
    expect(pages.map((p) => p.length)).toEqual([50, 50, 20]);
    expect(pages.flat()).toEqual(expected);
    expect(new Set(pages.flat()).size).toBe(120);

    // "Newer" from the last page returns exactly the page before it.
    const { listAudit } = await import("@/lib/audit/list-audit");
    const p1 = await listAudit(admin, { action: "bulk.seeded" });
    const p2 = await listAudit(admin, { action: "bulk.seeded" }, { cursor: p1.next! });
    const p3 = await listAudit(admin, { action: "bulk.seeded" }, { cursor: p2.next! });
    expect(p3.next).toBeNull();
    const back = await listAudit(admin, { action: "bulk.seeded" }, { cursor: p3.prev!, dir: "prev" });
    expect(back.rows.map((r) => r.id)).toEqual(p2.rows.map((r) => r.id));
    const first = await listAudit(admin, { action: "bulk.seeded" }, { cursor: back.prev!, dir: "prev" });
    expect(first.rows.map((r) => r.id)).toEqual(p1.rows.map((r) => r.id));
    expect(first.prev).toBeNull();
    expect(p1.prev).toBeNull();
  });

  it("returns view objects: actor name or system, tenant name, before and after", async () => {
    const [row] = await list({ action: "user.updated" });
    expect(row).toEqual({
      id: expect.any(String),
      at: "2026-11-20T10:00:00.000Z",
      actor: "Ada Lovelace",
      actorEmail: "ada@example.com",
      action: "user.updated",
      target: "sam@contoso.com",
      tenantId: null,
      tenantName: null,
      before: { role: "sender", disabled: false },
      after: { role: "auditor", disabled: false },
    });
    const [purge] = await list({ action: "history.purged" });
    expect(purge).toMatchObject({ actor: "system", actorEmail: null, tenantName: "Fabrikam", before: null, after: { deleted: 3 } });
    const [quietRow] = await list({ action: "tenant.credential-set" });
    expect(quietRow!.actor).toBe("quiet.admin@fabrikam.com");
  });

  it("filters by exact action, action prefix, actor, tenant, dates and free text", async () => {
    const actions = async (f: AuditFilter) => (await list(f)).map((r) => `${r.action}:${r.target}`).sort();
    expect(await actions({ action: "tenant.updated" })).toHaveLength(2);
    expect(await actions({ action: "tenant.*" })).toEqual(
      ["tenant.created:Contoso", "tenant.credential-set:Fabrikam", `tenant.updated:=HYPERLINK("http://evil.invalid","x")`, "tenant.updated:100%_done 'quoted' <b>bold</b>"].sort(),
    );
    expect(await actions({ action: "tenant" })).toEqual([]); // exact unless it ends with *
    // Actor: part of the recorded name, or of the user's email, case-insensitive; "system" = no person.
    expect((await list({ actor: "LOVELACE" })).every((r) => r.actor === "Ada Lovelace")).toBe(true);
    expect(await list({ actor: "lovelace" })).toHaveLength(4);
    expect(await actions({ actor: "@fabrikam" })).toEqual(["tenant.credential-set:Fabrikam"]);
    expect(await actions({ actor: "system" })).toEqual(["history.purged:Fabrikam"]);
    expect(await list({ actor: "ivy", action: "bulk.seeded" })).toHaveLength(120);
    // Tenant.
    expect(await actions({ tenant: tB })).toEqual(["history.purged:Fabrikam", "tenant.credential-set:Fabrikam"]);
    // Dates are whole UTC days, both ends included.
    expect(await actions({ from: "2026-11-21", to: "2026-11-22" })).toEqual(["tenant.created:Contoso", "tenant.credential-set:Fabrikam"]);
    expect(await actions({ to: "2026-11-20" })).toEqual(["user.updated:sam@contoso.com"]);
    expect(await list({ from: "2026-11-30" })).toHaveLength(120);
    // Free text over target and action.
    expect(await actions({ q: "SAM@contoso" })).toEqual(["user.updated:sam@contoso.com"]);
    expect(await actions({ q: "purged" })).toEqual(["history.purged:Fabrikam"]);
    expect(await actions({ q: "fabrikam", tenant: tA })).toEqual([]);
  });

  it("lists the distinct action names for the filter", async () => {
    const { listAuditActions } = await import("@/lib/audit/list-actions");
    expect(await listAuditActions(auditor)).toEqual([
      "bulk.seeded", "history.purged", "tenant.created", "tenant.credential-set", "tenant.updated", "user.updated",
    ]);
  });

  it("lets admins and auditors read, and refuses senders everywhere", async () => {
    const { listAudit } = await import("@/lib/audit/list-audit");
    const { listAuditActions } = await import("@/lib/audit/list-actions");
    const { exportAudit } = await import("@/lib/audit/export-audit");
    expect((await listAudit(auditor, {})).rows).toHaveLength(50);
    await expect(listAudit(sender, {})).rejects.toMatchObject({ code: "FORBIDDEN", status: 403 });
    await expect(listAuditActions(sender)).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(() => exportAudit(sender, {})).toThrow(expect.objectContaining({ code: "FORBIDDEN" }));
  });

  it("redacts secrets when recording, and again when reading older rows", async () => {
    const db = await lib();
    const stored = await db.auditEvent.findFirstOrThrow({ where: { action: "tenant.credential-set" } });
    expect(stored.after).toEqual({ kind: "secret", clientSecret: "[redacted]", nested: { refreshToken: "[redacted]" }, expires: "2027-06-01" });
    expect(JSON.stringify(stored)).not.toContain("very-secret-value");
    const [view] = await list({ action: "tenant.credential-set" });
    expect(view!.after).toEqual(stored.after);
    expect(view!.before).toEqual({ kind: "none" });

    // A row written straight to the table (as before redaction existed) is redacted on the way out.
    const legacy = await db.auditEvent.create({
      data: { action: "legacy.secret", actorName: "Old code", target: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig", after: { password: "hunter2", certificate: "-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----" } },
    });
    const [old] = await list({ action: "legacy.secret" });
    expect(old).toMatchObject({ target: "[redacted]", after: { password: "[redacted]", certificate: "[redacted]" } });
    const { exportAudit } = await import("@/lib/audit/export-audit");
    const csv = await new Response(exportAudit(admin, { action: "legacy.secret" })).text();
    expect(csv).not.toContain("hunter2");
    expect(csv).not.toContain("eyJhbGciOiJIUzI1NiJ9");
    await db.auditEvent.delete({ where: { id: legacy.id } });
  });

  it("exports the filtered trail as CSV, in batches, with formula cells neutralised", async () => {
    const { exportAudit } = await import("@/lib/audit/export-audit");
    const bytes = new Uint8Array(await new Response(exportAudit(auditor, { action: "tenant.*" })).arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM, so Excel reads accents
    const text = new TextDecoder().decode(bytes); // (drops the BOM)
    const rows = parseCsv(text);
    expect(rows[0]).toEqual(["at", "actor", "action", "target", "tenant", "before", "after"]);
    expect(rows).toHaveLength(1 + 4);
    expect(rows.slice(1).every((r) => r.length === 7)).toBe(true);
    const hostile = rows.find((r) => r[3]!.includes("HYPERLINK"))!;
    expect(hostile).toEqual([
      "2026-11-24T10:00:00.000Z", "Ada Lovelace", "tenant.updated", `'=HYPERLINK("http://evil.invalid","x")`, "Contoso",
      JSON.stringify({ name: "Old" }), JSON.stringify({ name: 'New, "quoted"' }),
    ]);
    // The raw bytes: the formula is quoted and prefixed, never a bare "=" at the start of a cell.
    expect(text).toContain(`,"'=HYPERLINK(""http://evil.invalid"",""x"")",`);
    expect(text).not.toMatch(/(^|,)=/m);
    const secret = rows.find((r) => r[2] === "tenant.credential-set")!;
    expect(JSON.parse(secret[6]!)).toMatchObject({ clientSecret: "[redacted]" });
    expect(secret[1]).toBe("quiet.admin@fabrikam.com");

    // Many small batches give exactly the same rows as the page walk: none lost or repeated at the edges.
    const bulk = parseCsv(await new Response(exportAudit(admin, { action: "bulk.seeded" }, 7)).text()).slice(1);
    expect(bulk).toHaveLength(120);
    expect(new Set(bulk.map((r) => r[3])).size).toBe(120);
    const targets = (await list({ action: "bulk.seeded" })).map((r) => r.target);
    expect(bulk.map((r) => r[3])).toEqual(targets);
  });

  it("handles hostile filter input with clear messages or literal matches, never an error", async () => {
    const { auditFilterSchema, auditPageSchema, filterErrors } = await import("@/lib/schemas/audit");
    const { listAudit } = await import("@/lib/audit/list-audit");
    const hostile = ["' OR 1=1 --", '"; DROP TABLE "AuditEvent"; --', "%", "_", "%%__", "a\r\nb", "<script>alert(1)</script>", "\\", "é😀", "\u0000x"];
    // Every row of the trail, to compute what each search must answer.
    const all: { id: string; target: string | null; action: string; actor: string | null; actorEmail: string | null }[] = [];
    for (let cursor: string | undefined; ; ) {
      const p = await listAudit(admin, {}, { cursor, limit: 200 });
      all.push(...p.rows);
      if (!p.next) break;
      cursor = p.next;
    }
    for (const h of hostile) {
      const { q } = auditFilterSchema.parse({ q: h, action: "", tenant: "", from: "", to: "" });
      const rows = (await listAudit(admin, { q }, { limit: 200 })).rows;
      // Literal substrings of target or action: "%" and "_" match only rows that contain them, not everything.
      const needle = (q ?? "").toLowerCase();
      const expected = all.filter((r) => (r.target ?? "").toLowerCase().includes(needle) || r.action.toLowerCase().includes(needle));
      expect(rows.map((r) => r.id), h).toEqual(expected.map((r) => r.id));
      expect(rows.length, h).toBeLessThan(10);
      // The actor filter with the same input: a literal substring of the actor's name or address.
      const byActor = auditFilterSchema.parse({ actor: h, action: "", tenant: "", from: "", to: "" });
      const who = (byActor.actor ?? "").toLowerCase();
      const actorRows = await walk(admin, byActor);
      expect(actorRows.flat(), h).toEqual(all.filter((r) => (r.actor ?? "").toLowerCase().includes(who) || (r.actorEmail ?? "").toLowerCase().includes(who)).map((r) => r.id));
    }
    // Line breaks and NULs become spaces: "a\r\nb" is searched as "a b", and NUL never reaches PostgreSQL.
    expect(auditFilterSchema.parse({ q: "a\r\nb", actor: "\u0000ada\tlove" })).toEqual({ q: "a b", actor: "ada love" });
    expect((await list({ q: "%_" })).map((r) => r.target)).toEqual(["100%_done 'quoted' <b>bold</b>"]);
    expect((await list({ q: "'quoted' <b>" })).map((r) => r.target)).toEqual(["100%_done 'quoted' <b>bold</b>"]);

    // Fields that must have a shape say which field and what to do.
    const bad = auditFilterSchema.safeParse({ action: "user.updated' OR '1'='1", tenant: "<x>", from: "2026-02-30", to: "yesterday\r\n" });
    expect(bad.success).toBe(false);
    const fields = filterErrors(bad.error!);
    expect(fields.action).toMatch(/^Action:/);
    expect(fields.tenant).toMatch(/^Tenant:/);
    expect(fields.from).toMatch(/start date/);
    expect(fields.to).toMatch(/end date/);
    const reversed = auditFilterSchema.safeParse({ from: "2026-11-22", to: "2026-11-21" });
    expect(filterErrors(reversed.error!).to).toBe("The end date is before the start date.");
    expect(auditFilterSchema.safeParse({ q: "x".repeat(201) }).success).toBe(false);
    expect(auditFilterSchema.safeParse({ action: ["a", "b"] }).success).toBe(false);

    // A damaged cursor is refused by the schema, or by the decoder with a field message (not a 500).
    expect(auditPageSchema.safeParse({ cursor: "abc%27--" }).success).toBe(false);
    await expect(listAudit(admin, {}, { cursor: Buffer.from("nonsense").toString("base64url") })).rejects.toMatchObject({
      code: "BAD_CURSOR",
      fields: { cursor: expect.any(String) },
    });
  });
});
