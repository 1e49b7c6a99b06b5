/**
 * The script converter's inventory against real PostgreSQL, through the real route handlers and server
 * actions with real sessions: uploads (files, a zip, a paste) per tenant, who may do what (admins manage,
 * auditors read, senders nothing — checked in the lib operations too), audit events, downloads in each
 * file's own encoding and the converted zip.
 */
import { randomBytes } from "node:crypto";
import { inRequestScope, portalRequest, sessionCookie } from "../support/next-scope";
import { strToU8, unzipSync, zipSync } from "fflate";
import type { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../support/db";

type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Role = "admin" | "auditor" | "sender";
interface User { id: string; email: string; name: string; role: Role; tenantId: null; sessionVersion: number }

let drop: () => Promise<void>;
const users = {} as Record<Role, User>;
const cookies = {} as Record<Role, string>;
let tenantA: string;
let tenantB: string;

const SCRIPT = (subject: string) => `$p = @{ To = 'ops@contoso.com'; From = 'robot@contoso.com' }\n$p.Subj = '${subject}'\nSend-MailMessage @p -SmtpServer smtp.office365.com -Credential $cred\n`;

beforeAll(async () => {
  const dbh = await createTestDatabase();
  drop = dbh.drop;
  process.env.DATABASE_URL = dbh.url;
  process.env.PORTAL_SECRET_KEY = randomBytes(32).toString("hex");
  process.env.PORTAL_URL = "http://localhost:3000";
  const { db } = await import("@/lib/db");
  for (const role of ["admin", "auditor", "sender"] as const) {
    const u = await db().user.create({ data: { email: `${role}-${randomBytes(3).toString("hex")}@example.com`, name: `The ${role}`, role } });
    users[role] = { id: u.id, email: u.email, name: u.name!, role, tenantId: null, sessionVersion: u.sessionVersion };
    cookies[role] = await sessionCookie(u);
  }
  tenantA = (await db().tenant.create({ data: { name: "Contoso", directoryId: "contoso.example" } })).id;
  tenantB = (await db().tenant.create({ data: { name: "Fabrikam", directoryId: "fabrikam.example" } })).id;
});

afterAll(async () => {
  const { db } = await import("@/lib/db");
  await db().$disconnect();
  await drop?.();
});

async function upload(role: Role, fields: Record<string, string>, files: { name: string; bytes: Uint8Array }[] = []) {
  const { POST } = (await import("@/app/api/scripts/route")) as { POST: Handler };
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const f of files) form.append("files", new File([f.bytes as BlobPart], f.name));
  const req = portalRequest("/api/scripts", { cookie: cookies[role], body: form });
  const res = await inRequestScope(req, () => POST(req, { params: Promise.resolve({}) }));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { code: string; fields?: Record<string, string> } } };
}

async function get(role: Role, path: string, mod: string, params: Record<string, string> = {}) {
  const { GET } = (await import(mod)) as { GET: Handler };
  const req = portalRequest(path, { cookie: cookies[role], method: "GET" });
  return inRequestScope(req, () => GET(req, { params: Promise.resolve(params) }));
}

describe("the script inventory", () => {
  let created: { id: string; name: string }[] = [];

  it("converts uploaded files, a zip's scripts and a pasted script into the chosen tenant, saying what it refused", async () => {
    const zip = zipSync({ "tasks/nightly.ps1": strToU8(SCRIPT("Nightly")), "../escape.ps1": strToU8(SCRIPT("x")), "tasks/broken.ps1": strToU8("Select-Object Name, Status\n") });
    const cp1252 = Buffer.from("# Café €\r\nSend-MailMessage -To a@contoso.com -From b@contoso.com -Subject 'Caf\xe9'\r\n", "latin1");
    cp1252[8] = 0x80; // € in Windows-1252
    const r = await upload("admin", { tenantId: tenantA, modulePath: "C:\\Modules\\GraphMail\\GraphMail.psd1", pasted: SCRIPT("Pasted"), pastedName: "pasted.ps1" }, [
      { name: "fleet.zip", bytes: zip },
      { name: "ansi.ps1", bytes: cp1252 },
    ]);
    expect(r.status).toBe(201);
    created = r.body.created as typeof created;
    expect(created.map((c) => c.name).sort()).toEqual(["ansi.ps1", "pasted.ps1", "tasks/broken.ps1", "tasks/nightly.ps1"]);
    expect(r.body.refused).toEqual([{ name: "fleet.zip: ../escape.ps1", reason: expect.stringMatching(/climbs out/) }]);

    const { db } = await import("@/lib/db");
    const rows = await db().mailScript.findMany({ where: { tenantId: tenantA }, orderBy: { name: "asc" } });
    const byName = Object.fromEntries(rows.map((x) => [x.name, x]));
    expect(byName["tasks/nightly.ps1"]).toMatchObject({ callsFound: 1, convertedCount: 1, attentionCount: 1, encoding: "utf-8", uploadedById: users.admin.id });
    expect(byName["tasks/nightly.ps1"]!.converted).toBe(
      "Import-Module -Name 'C:\\Modules\\GraphMail\\GraphMail.psd1'\n" + SCRIPT("Nightly").replace("$p.Subj", "$p.Subject").replace("Send-MailMessage", "Send-GraphMailMessage"),
    );
    expect(byName["tasks/broken.ps1"]).toMatchObject({ converted: null, attentionCount: 1 });
    expect(byName["ansi.ps1"]).toMatchObject({ encoding: "windows-1252", convertedCount: 1 });
    expect(byName["ansi.ps1"]!.original).toContain("€");
    const audit = await db().auditEvent.findMany({ where: { action: "script.uploaded" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: users.admin.id, tenantId: tenantA, target: "4 scripts" });
  });

  it("refuses uploads naming the field, and stores nothing", async () => {
    const { db } = await import("@/lib/db");
    const before = await db().mailScript.count();
    expect((await upload("admin", { modulePath: "GraphMail", pasted: SCRIPT("x") })).body.error?.fields?.tenantId).toBeTruthy();
    expect((await upload("admin", { tenantId: tenantA, modulePath: "Graph\r\nMail", pasted: SCRIPT("x") })).body.error?.fields?.modulePath).toMatch(/one line/);
    expect((await upload("admin", { tenantId: tenantA, pasted: SCRIPT("x"), pastedName: "x.exe" })).body.error?.fields?.pastedName).toMatch(/\.ps1/);
    const none = await upload("admin", { tenantId: tenantA }, [{ name: "a.txt", bytes: strToU8("x") }]);
    expect(none.status).toBe(422);
    expect(none.body.error?.fields?.files).toMatch(/a\.txt: It is not a \.ps1 or \.psm1 file/);
    const big = await upload("admin", { tenantId: tenantA }, [{ name: "big.zip", bytes: new Uint8Array(9 * 1024 * 1024) }]);
    expect(big.status).toBe(413);
    expect(await db().mailScript.count()).toBe(before);
  });

  it("lets only admins upload, and admins and auditors read and download; senders see nothing", async () => {
    expect((await upload("auditor", { tenantId: tenantA, pasted: SCRIPT("x") })).status).toBe(403);
    expect((await upload("sender", { tenantId: tenantA, pasted: SCRIPT("x") })).status).toBe(403);
    const { listScripts } = await import("@/lib/scripts/inventory/list-scripts");
    const { findScript } = await import("@/lib/scripts/inventory/find-script");
    const { uploadScripts } = await import("@/lib/scripts/inventory/upload-scripts");
    await expect(listScripts(users.sender)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(findScript(users.sender, created[0]!.id)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(uploadScripts(users.auditor, { tenantId: tenantA, modulePath: "GraphMail", uploads: [] })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await listScripts(users.auditor, { tenantId: tenantA })).length).toBe(4);
    expect(await listScripts(users.auditor, { tenantId: tenantB })).toEqual([]);
    expect((await listScripts(users.admin, { tenantId: tenantA, attention: true })).map((s) => s.name).sort()).toEqual(["pasted.ps1", "tasks/broken.ps1", "tasks/nightly.ps1"]);

    const ansi = created.find((c) => c.name === "ansi.ps1")!;
    const res = await get("auditor", `/api/scripts/${ansi.id}/download`, "@/app/api/scripts/[scriptId]/download/route", { scriptId: ansi.id });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="ansi.ps1"; filename*=UTF-8''ansi.ps1`);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.includes(0x80)).toBe(true); // still Windows-1252
    expect(bytes.toString("latin1")).toContain("Send-GraphMailMessage");
    expect(bytes.toString("latin1")).toContain("\r\n");
    expect((await get("sender", `/api/scripts/${ansi.id}/download`, "@/app/api/scripts/[scriptId]/download/route", { scriptId: ansi.id })).status).toBe(403);

    const zipRes = await get("admin", `/api/scripts/export?tenant=${tenantA}`, "@/app/api/scripts/export/route");
    expect(zipRes.headers.get("content-type")).toBe("application/zip");
    const entries = unzipSync(new Uint8Array(await zipRes.arrayBuffer()));
    expect(Object.keys(entries).sort()).toEqual(["SKIPPED.txt", "ansi.ps1", "pasted.ps1", "tasks/nightly.ps1"]);
    expect(Buffer.from(entries["SKIPPED.txt"]!).toString()).toContain("tasks/broken.ps1");
    expect(Buffer.from(entries["pasted.ps1"]!).toString()).toContain("Send-GraphMailMessage @p");
    expect((await get("sender", `/api/scripts/export?tenant=${tenantA}`, "@/app/api/scripts/export/route")).status).toBe(403);
    expect((await get("admin", `/api/scripts/export?tenant=${tenantB}`, "@/app/api/scripts/export/route")).status).toBe(409);
  });

  it("converts again and deletes through the server actions (admins only), with audit events", async () => {
    const { reconvertScriptAction, deleteScriptAction } = await import("@/app/(portal)/scripts/actions");
    const { db } = await import("@/lib/db");
    const nightly = created.find((c) => c.name === "tasks/nightly.ps1")!;
    const call = async (role: Role, act: typeof reconvertScriptAction, fields: Record<string, string>) => {
      const fd = new FormData();
      for (const [k, v] of Object.entries(fields)) fd.append(k, v);
      return inRequestScope(portalRequest("/scripts", { cookie: cookies[role] }), () => act({ status: "idle" }, fd));
    };
    expect(await call("auditor", reconvertScriptAction, { scriptId: nightly.id })).toMatchObject({ status: "error", code: "FORBIDDEN" });
    expect(await call("admin", reconvertScriptAction, { scriptId: nightly.id, modulePath: "GraphMail" })).toMatchObject({ status: "ok" });
    expect((await db().mailScript.findUniqueOrThrow({ where: { id: nightly.id } })).converted).toMatch(/^Import-Module -Name 'GraphMail'\n/);
    expect(await call("admin", reconvertScriptAction, { scriptId: "" })).toMatchObject({ status: "error", fields: { scriptId: expect.any(String) } });
    expect(await call("sender", deleteScriptAction, { scriptId: nightly.id })).toMatchObject({ status: "error", code: "FORBIDDEN" });
    expect(await call("admin", deleteScriptAction, { scriptId: nightly.id })).toMatchObject({ status: "ok" });
    expect(await db().mailScript.findUnique({ where: { id: nightly.id } })).toBeNull();
    expect(await call("admin", deleteScriptAction, { scriptId: nightly.id })).toMatchObject({ status: "error", code: "NOT_FOUND" });
    const actions = (await db().auditEvent.findMany({ orderBy: [{ at: "asc" }, { id: "asc" }], select: { action: true } })).map((a) => a.action);
    expect(actions).toEqual(["script.uploaded", "script.downloaded", "script.downloaded", "script.reconverted", "script.deleted"]);
  });
});
