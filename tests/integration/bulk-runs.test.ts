import { randomBytes, createHash } from "node:crypto";
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TestSandbox } from "m365-sandbox/helpers";
import { hostileStrings } from "../support/hostile-strings";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
import type * as DbModule from "@/lib/db";
import type * as CreateModule from "@/lib/bulk/create-run";
import type * as TemplateSaveModule from "@/lib/bulk/save-template";
import type * as ControlModule from "@/lib/bulk/control-run";
import type * as StepModule from "@/lib/bulk/queue-step";
import type * as ViewModule from "@/lib/bulk/run-view";
import type * as DirectoryModule from "@/lib/bulk/directory-users";
import type * as UploadModule from "@/lib/sends/upload-store";
import type * as ClaimModule from "@/lib/outbox/claim";
import type * as ProcessModule from "@/lib/outbox/process-send";
import type * as OptionsModule from "@/lib/outbox/options";
import type * as QueueModule from "@/lib/sends/queue-send";
import { renderHtml, renderSubject, templateErrors } from "@/lib/bulk/template";
import { uploadStored } from "../support/uploads";

// Bulk runs against real PostgreSQL and the in-process sandbox (real MSAL, Graph SDK): recipients from
// the directory (paged) and from CSV, templates, and exactly-once queueing under concurrency, crashes,
// pause, resume and cancel.
let sb: TestSandbox;
let env: PortalEnv;
let tenantId: string;
const actor = { id: "", name: "Hana HR", email: "hana@example.com", role: "sender" as const, tenantId: null as string | null };
const admin = { id: "", name: "Ada", email: "ada@example.com", role: "admin" as const, tenantId: null as string | null };

let lib: {
  db: typeof DbModule.db;
  createRun: typeof CreateModule.createRun;
  saveTemplate: typeof TemplateSaveModule.saveTemplate;
  controlRun: typeof ControlModule.controlRun;
  queueBulkStep: typeof StepModule.queueBulkStep;
  runProgress: typeof ViewModule.runProgress;
  previewRecipient: typeof ViewModule.previewRecipient;
  directoryUsersSince: typeof DirectoryModule.directoryUsersSince;
  saveUpload: typeof UploadModule.saveUpload;
  claimSends: typeof ClaimModule.claimSends;
  processSend: typeof ProcessModule.processSend;
  outboxOptions: typeof OptionsModule.outboxOptions;
  queueSend: typeof QueueModule.queueSend;
};

beforeAll(async () => {
  env = await startPortalEnv("bulk", { senders: (e) => [e.mailboxes.shared, e.mailboxes.allowed] });
  sb = env.sb;
  tenantId = env.tenantId;
  lib = {
    db: (await import("@/lib/db")).db,
    createRun: (await import("@/lib/bulk/create-run")).createRun,
    saveTemplate: (await import("@/lib/bulk/save-template")).saveTemplate,
    controlRun: (await import("@/lib/bulk/control-run")).controlRun,
    queueBulkStep: (await import("@/lib/bulk/queue-step")).queueBulkStep,
    runProgress: (await import("@/lib/bulk/run-view")).runProgress,
    previewRecipient: (await import("@/lib/bulk/run-view")).previewRecipient,
    directoryUsersSince: (await import("@/lib/bulk/directory-users")).directoryUsersSince,
    saveUpload: (await import("@/lib/sends/upload-store")).saveUpload,
    claimSends: (await import("@/lib/outbox/claim")).claimSends,
    processSend: (await import("@/lib/outbox/process-send")).processSend,
    outboxOptions: (await import("@/lib/outbox/options")).outboxOptions,
    queueSend: (await import("@/lib/sends/queue-send")).queueSend,
  };
  await lib.db().tenant.update({ where: { id: tenantId }, data: { bulkDirectory: true } });
  actor.id = (await lib.db().user.create({ data: { email: actor.email, name: actor.name, role: "sender" } })).id;
  admin.id = (await lib.db().user.create({ data: { email: admin.email, name: admin.name, role: "admin" } })).id;
  const shared = await lib.db().senderMailbox.findFirstOrThrow({ where: { tenantId, address: sb.endpoints.mailboxes.shared } });
  await lib.db().senderGrant.create({ data: { mailboxId: shared.id, userId: actor.id } });
});

afterAll(async () => env?.close());

beforeEach(async () => {
  await lib.db().bulkRun.deleteMany({});
  await lib.db().send.deleteMany({});
  await lib.db().mailboxPace.deleteMany({});
});

const uniq = () => randomBytes(4).toString("hex");
const domain = () => sb.endpoints.tenant.domain;

function csvOf(n: number, tag: string): string {
  const rows = ["email,First name,Team"];
  for (let i = 0; i < n; i++) rows.push(`bulk-${tag}-${i}@example.com,Person ${i},"Team, ${i % 3}"`);
  return rows.join("\r\n");
}

async function draftRun(n: number, extra: { subject?: string; html?: string; attachment?: string } = {}) {
  const tag = uniq();
  const { id } = await lib.createRun(actor, { tenantId, from: sb.endpoints.mailboxes.shared, source: "csv", csv: csvOf(n, tag), name: `run ${tag}` });
  await lib.saveTemplate(actor, { runId: id, subject: extra.subject ?? `Welcome {{First name}} ${tag}`, html: extra.html ?? "<p>Hello {{First name}} of {{Team}}</p>", cc: [], attachment: extra.attachment });
  return { id, tag };
}

async function sendsOf(runId: string) {
  const rs = await lib.db().bulkRecipient.findMany({ where: { runId }, select: { address: true, sendId: true, status: true } });
  const sends = await lib.db().send.findMany({ where: { id: { in: rs.flatMap((r) => (r.sendId ? [r.sendId] : [])) } }, select: { id: true, toAddresses: true } });
  return { rs, sends };
}

/** Drains the outbox with a fast pace (what the worker does, without waiting for Exchange's minute). */
async function drainOutbox() {
  const o = lib.outboxOptions({ leaseMs: 30_000, timeoutMs: 20_000, pace: { perMinute: 10_000, concurrent: 50, recipientsPerDay: 100_000 } });
  for (;;) {
    const claims = await lib.claimSends("w-bulk", { limit: 20, leaseMs: o.leaseMs, pace: o.pace });
    if (!claims.length) return;
    await Promise.all(claims.map((c) => lib.processSend(c.id, c.lease, o)));
  }
}

async function delivered(to: string, subject: string) {
  const r = await sb.control<{ subject: string; body: { content: string }; attachments: { name: string; sha256: string }[]; cc: { address: string }[] }[]>(`/messages?to=${encodeURIComponent(to)}&subject=${encodeURIComponent(subject)}`);
  return r.json.filter((m) => m.subject === subject);
}

describe("templates", () => {
  it("fills placeholders, escapes every value in the HTML body, keeps the subject on one line", () => {
    const fields = { displayName: `<img src=x onerror=alert(1)> & "Bo" 'O'`, givenName: "Bo\r\nBcc: evil@x.com" };
    expect(renderHtml("<p>Hi {{ displayName }}</p>", fields)).toBe("<p>Hi &lt;img src=x onerror=alert(1)&gt; &amp; &quot;Bo&quot; &#39;O&#39;</p>");
    expect(renderSubject("Welcome {{givenName}}", fields)).toBe("Welcome Bo Bcc: evil@x.com");
    // Case-insensitive names; a CSV column with a space.
    expect(renderHtml("{{GIVENNAME}} / {{First name}}", { givenName: "Ann", "First name": "A" })).toBe("Ann / A");
    for (const s of hostileStrings(300)) {
      const out = renderHtml("<b>{{displayName}}</b>", { displayName: s });
      expect(out.slice(3, -4)).not.toMatch(/[<>"']/);
      expect(renderSubject("{{displayName}}", { displayName: s })).not.toMatch(/[\r\n]/);
    }
  });

  it("names an unknown placeholder, in the subject and in the body", () => {
    const known = ["displayName", "givenName", "surname", "mail"];
    expect(templateErrors({ subject: "Hi {{givenName}}", html: "<p>{{displayName}}</p>" }, known)).toEqual({});
    const e = templateErrors({ subject: "Hi {{firstName}}", html: "<p>{{ department }}</p>" }, known);
    expect(e.subject).toMatch(/Unknown placeholder \{\{firstName\}\}/);
    expect(e.html).toMatch(/Unknown placeholder \{\{department\}\}/);
  });

  it("refuses an unknown placeholder before anything is queued, and previews one recipient's message", async () => {
    const tag = uniq();
    const { id } = await lib.createRun(actor, { tenantId, from: sb.endpoints.mailboxes.shared, source: "csv", csv: csvOf(2, tag) });
    await expect(lib.saveTemplate(actor, { runId: id, subject: "Hi {{Nickname}}", html: "<p>x</p>", cc: [] })).rejects.toMatchObject({ status: 422, fields: { subject: expect.stringMatching(/\{\{Nickname\}\}/) } });
    await expect(lib.controlRun(actor, id, "start")).rejects.toMatchObject({ status: 422 });
    expect(await lib.db().send.count()).toBe(0);
    await lib.saveTemplate(actor, { runId: id, subject: "Hi {{First name}}", html: "<p>{{Team}}</p>", cc: [] });
    const second = (await lib.db().bulkRecipient.findFirstOrThrow({ where: { runId: id, position: 1 } })).id;
    expect(await lib.previewRecipient(actor, id, second)).toMatchObject({ address: `bulk-${tag}-1@example.com`, subject: "Hi Person 1", html: "<p>Team, 1</p>" });
  });

  it("reads CSV per RFC 4180 and names a bad line", async () => {
    const base = { tenantId, from: sb.endpoints.mailboxes.shared, source: "csv" as const };
    await expect(lib.createRun(actor, { ...base, csv: "name,team\nA,B" })).rejects.toMatchObject({ fields: { csv: expect.stringMatching(/No email column/) } });
    await expect(lib.createRun(actor, { ...base, csv: `email\na@${domain()}\nnot-an-address` })).rejects.toMatchObject({ fields: { csv: expect.stringMatching(/Line 3/) } });
    await expect(lib.createRun(actor, { ...base, csv: `email,x\n"a@${domain()}","unclosed` })).rejects.toMatchObject({ fields: { csv: expect.stringMatching(/could not be read/) } });
    const r = await lib.createRun(actor, { ...base, csv: `Email,Note\na@${domain()},"multi\nline, ""quoted"""\nA@${domain()},dup` });
    expect([r.count, r.skipped]).toEqual([1, 1]);
    const [row] = await lib.db().bulkRecipient.findMany({ where: { runId: r.id } });
    expect(row?.fields).toEqual({ Email: `a@${domain()}`, Note: 'multi\nline, "quoted"', mail: `a@${domain()}` });
  });
});

describe("recipients from the directory", () => {
  it("lists users created since a date through every @odata.nextLink page", async () => {
    const since = new Date(Date.now() - 7 * 86_400_000);
    const all = await lib.directoryUsersSince(tenantId, since);
    const paged = await lib.directoryUsersSince(tenantId, since, 2);
    // The seed's six people who joined during the last week, none of the older ones.
    expect(all.recipients.map((r) => r.fields.givenName).sort()).toEqual(["Isaiah", "Johanna", "Lidia", "Lynne", "Miriam", "Pradeep"]);
    expect(paged.recipients).toEqual(all.recipients);
    expect(all.recipients[0]?.fields).toEqual({ displayName: expect.any(String), givenName: expect.any(String), surname: expect.any(String), mail: expect.stringContaining("@") });

    const run = await lib.createRun(actor, { tenantId, from: sb.endpoints.mailboxes.shared, source: "directory", since: since.toISOString().slice(0, 10) });
    expect(run.count).toBe(6);
  });

  it("asks only tenants that turned the feature on, and explains a 403 without User.Read.All", async () => {
    await lib.db().tenant.update({ where: { id: tenantId }, data: { bulkDirectory: false } });
    await expect(lib.createRun(actor, { tenantId, from: sb.endpoints.mailboxes.shared, source: "directory", since: "2026-01-01" })).rejects.toMatchObject({ fields: { source: expect.stringMatching(/User\.Read\.All/) } });
    await lib.db().tenant.update({ where: { id: tenantId }, data: { bulkDirectory: true } });

    // A second portal tenant for the same app (its own MSAL cache), after the sandbox lost the grant.
    const grants = sb.ctx.store.appRoleGrants;
    sb.ctx.store.appRoleGrants = grants.filter((g) => g.value !== "User.Read.All");
    try {
      // (cloud, directoryId) is unique: the copy names the directory by its domain, which Entra accepts as well.
      const t = await lib.db().tenant.findUniqueOrThrow({ where: { id: tenantId } });
      const copy = await lib.db().tenant.create({ data: { name: "Sandbox again", cloud: "sandbox", directoryId: sb.endpoints.tenant.domain, loginUrl: t.loginUrl, graphUrl: t.graphUrl, clientId: t.clientId, bulkDirectory: true } });
      const { encryptSecret } = await import("@/lib/crypto");
      await lib.db().tenant.update({ where: { id: copy.id }, data: { credentialKind: "secret", credentialCipher: encryptSecret(sb.endpoints.app.clientSecret, { purpose: "tenant-credential", rowId: copy.id }) } });
      await expect(lib.directoryUsersSince(copy.id, new Date("2026-01-01T00:00:00Z"))).rejects.toMatchObject({ code: "DIRECTORY_DENIED", status: 409, details: { graphCode: "Authorization_RequestDenied", httpStatus: 403 } });
      await lib.db().tenant.delete({ where: { id: copy.id } });
    } finally {
      sb.ctx.store.appRoleGrants = grants;
    }
  });
});

describe("a run queues each recipient exactly once", () => {
  it("two queueing steps at once: every recipient once, and all delivered once", async () => {
    const { id, tag } = await draftRun(12);
    await lib.controlRun(actor, id, "start");
    const counts = await Promise.all([lib.queueBulkStep({ window: 100 }, id), lib.queueBulkStep({ window: 100 }, id), lib.queueBulkStep({ window: 100 }, id)]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(12);
    const { rs, sends } = await sendsOf(id);
    expect(rs.every((r) => r.status === "queued" && r.sendId)).toBe(true);
    expect(sends).toHaveLength(12);
    expect(new Set(sends.map((s) => s.toAddresses[0])).size).toBe(12);

    // Queueing a recipient whose send is recorded again: the database refuses, the second send is rolled back.
    const again = await Promise.all([lib.queueBulkStep({ window: 100 }, id), lib.queueBulkStep({ window: 100 }, id)]);
    expect(again).toEqual([0, 0]);
    expect(await lib.db().send.count({ where: { mode: "bulk" } })).toBe(12);

    await drainOutbox();
    await lib.queueBulkStep({ window: 100 }, id);
    for (let i = 0; i < 12; i++) expect(await delivered(`bulk-${tag}-${i}@example.com`, `Welcome Person ${i} ${tag}`)).toHaveLength(1);
    expect(await lib.runProgress(actor, id)).toMatchObject({ status: "done", sent: 12, failed: 0, pending: 0, inOutbox: 0, etaSeconds: null });
  });

  it("a step that dies half-way (its transaction rolled back, its leases left behind) loses and repeats nobody", async () => {
    const { id } = await draftRun(6);
    await lib.controlRun(actor, id, "start");
    const [first, second] = await lib.db().bulkRecipient.findMany({ where: { runId: id }, orderBy: { position: "asc" } });
    // 1. Killed inside the queueing transaction: the send row and the recipient's send id go together or not at all.
    await expect(
      lib.queueSend(
        { actor, tenantId, mode: "app", from: sb.endpoints.mailboxes.shared, to: [first!.address], subject: "x", body: "<p>x</p>" },
        { origin: "bulk", bulk: { within: async (tx, sendId) => { await tx.bulkRecipient.update({ where: { id: first!.id }, data: { sendId, status: "queued" } }); throw new Error("SIGKILL"); } } },
      ),
    ).rejects.toThrow("SIGKILL");
    expect(await lib.db().send.count()).toBe(0);
    expect(await lib.db().bulkRecipient.findUniqueOrThrow({ where: { id: first!.id } })).toMatchObject({ sendId: null, status: "pending" });
    // 2. Killed after claiming (leases held by a process that is gone): once the leases run out, another step takes over.
    await lib.db().bulkRecipient.updateMany({ where: { runId: id }, data: { leaseUntil: new Date(Date.now() + 60_000) } });
    expect(await lib.queueBulkStep({ window: 100 }, id)).toBe(0);
    await lib.db().bulkRecipient.updateMany({ where: { runId: id }, data: { leaseUntil: new Date(Date.now() - 1) } });
    // 3. Killed after committing one recipient: a restarted portal queues the rest, not that one again.
    await lib.db().$transaction(async (tx) => tx.bulkRecipient.update({ where: { id: second!.id }, data: { status: "queued", sendId: (await tx.send.create({ data: { tenantId, mode: "bulk", fromAddress: sb.endpoints.mailboxes.shared, toAddresses: [second!.address], ccAddresses: [], bccAddresses: [], recipientCount: 1, subject: "earlier", status: "accepted" }, select: { id: true } })).id } }));
    expect(await lib.queueBulkStep({ window: 100 }, id)).toBe(5);
    const { rs, sends } = await sendsOf(id);
    expect(rs.every((r) => r.sendId)).toBe(true);
    expect(sends.map((s) => s.toAddresses[0]).sort()).toEqual(rs.map((r) => r.address).sort());
  });

  it("a portal process killed with SIGKILL mid-run: the run ends with every recipient exactly once", async () => {
    const { id, tag } = await draftRun(150);
    await lib.controlRun(actor, id, "start");
    const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", path.resolve("tests/support/bulk-step-child.ts"), id], { env: process.env, stdio: ["ignore", "pipe", "pipe"] });
    let errors = "";
    child.stderr.on("data", (b: Buffer) => (errors += b.toString()));
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
    // Killed in the middle: some recipients queued, most not.
    const deadline = Date.now() + 45_000;
    while ((await lib.db().bulkRecipient.count({ where: { runId: id, status: "queued" } })) < 20) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the child step did not get going: ${errors}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill("SIGKILL");
    await exited;
    const before = await lib.db().bulkRecipient.count({ where: { runId: id, status: "queued" } });
    expect(before).toBeLessThan(150);
    // Its leases run out (a second here); the restarted portal's step finishes the run.
    await new Promise((r) => setTimeout(r, 1_100));
    while ((await lib.queueBulkStep({ window: 200 }, id)) > 0);
    const { rs, sends } = await sendsOf(id);
    expect(rs.filter((r) => r.status === "queued" && r.sendId)).toHaveLength(150);
    // No send without its recipient (an interrupted transaction left nothing behind), none twice.
    expect(await lib.db().send.count({ where: { mode: "bulk" } })).toBe(150);
    expect(new Set(sends.map((s) => s.toAddresses[0])).size).toBe(150);
    expect((await lib.db().send.findFirstOrThrow({ where: { toAddresses: { has: `bulk-${tag}-149@example.com` } } })).subject).toBe(`Welcome Person 149 ${tag}`);
  });

  it("pause stops queueing, resume goes on; only the creator starts or resumes, an admin may pause", async () => {
    const { id, tag } = await draftRun(7);
    await expect(lib.controlRun(admin, id, "start")).rejects.toMatchObject({ status: 403 });
    await lib.controlRun(actor, id, "start");
    expect(await lib.queueBulkStep({ window: 3 }, id)).toBe(3);
    // The window is full until the outbox finishes some.
    expect(await lib.queueBulkStep({ window: 3 }, id)).toBe(0);
    await lib.controlRun(admin, id, "pause");
    await drainOutbox();
    expect(await lib.queueBulkStep({ window: 3 }, id)).toBe(0);
    expect(await lib.runProgress(actor, id)).toMatchObject({ status: "paused", sent: 3, pending: 4, etaSeconds: 8 });
    await expect(lib.controlRun(admin, id, "resume")).rejects.toMatchObject({ status: 403 });
    await lib.controlRun(actor, id, "resume");
    for (let i = 0; i < 5 && (await lib.queueBulkStep({ window: 3 }, id)) >= 0; i++) await drainOutbox();
    expect(await lib.runProgress(actor, id)).toMatchObject({ status: "done", sent: 7 });
    for (let i = 0; i < 7; i++) expect(await delivered(`bulk-${tag}-${i}@example.com`, `Welcome Person ${i} ${tag}`)).toHaveLength(1);
  });

  it("cancel skips everyone not yet queued; a revoked grant stops the run with the reason", async () => {
    const { id } = await draftRun(5);
    await lib.controlRun(actor, id, "start");
    expect(await lib.queueBulkStep({ window: 2 }, id)).toBe(2);
    await lib.controlRun(actor, id, "cancel");
    expect(await lib.queueBulkStep({ window: 100 }, id)).toBe(0);
    expect(await lib.runProgress(actor, id)).toMatchObject({ status: "cancelled", skipped: 3, pending: 0 });
    await expect(lib.controlRun(actor, id, "resume")).rejects.toMatchObject({ status: 409 });

    const run2 = await draftRun(3);
    await lib.controlRun(actor, run2.id, "start");
    await lib.db().senderGrant.deleteMany({ where: { userId: actor.id } });
    try {
      expect(await lib.queueBulkStep({ window: 100 }, run2.id)).toBe(0);
      const p = await lib.runProgress(actor, run2.id);
      expect(p).toMatchObject({ status: "paused", pending: 3, stopReason: expect.stringMatching(/You may not send as/) });
      await expect(lib.controlRun(actor, run2.id, "resume")).rejects.toMatchObject({ status: 422, fields: { from: expect.stringMatching(/You may not send as/) } });
    } finally {
      const shared = await lib.db().senderMailbox.findFirstOrThrow({ where: { tenantId, address: sb.endpoints.mailboxes.shared } });
      await lib.db().senderGrant.create({ data: { mailboxId: shared.id, userId: actor.id } });
    }
  });

  it("one attachment for all: one stored copy, every message carries it, removed when the run is done", async () => {
    const bytes = randomBytes(200_000);
    const up = await lib.saveUpload({ ownerId: actor.id, name: "handbook.pdf", contentType: "application/pdf", body: (async function* () { yield bytes; })() });
    const { id, tag } = await draftRun(3, { attachment: up.id });
    await lib.controlRun(actor, id, "start");
    await lib.queueBulkStep({ window: 100 }, id);
    await drainOutbox();
    const sha = createHash("sha256").update(bytes).digest("hex");
    for (let i = 0; i < 3; i++) {
      const [m] = await delivered(`bulk-${tag}-${i}@example.com`, `Welcome Person ${i} ${tag}`);
      expect(m?.attachments).toEqual([expect.objectContaining({ name: "handbook.pdf", sha256: sha })]);
    }
    expect(await uploadStored(up.id)).toBe(true);
    await lib.queueBulkStep({ window: 100 }, id);
    expect((await lib.runProgress(actor, id)).status).toBe("done");
    expect(await uploadStored(up.id)).toBe(false);
  });

  it("hides runs from other senders", async () => {
    const { id } = await draftRun(1);
    const other = { id: (await lib.db().user.create({ data: { email: `o${uniq()}@example.com`, role: "sender" } })).id, name: "O", email: "o@example.com", role: "sender" as const, tenantId: null };
    await expect(lib.runProgress(other, id)).rejects.toMatchObject({ status: 404 });
    await expect(lib.controlRun(other, id, "start")).rejects.toMatchObject({ status: 404 });
    await expect(lib.controlRun({ ...other, role: "auditor" }, id, "pause")).rejects.toMatchObject({ status: 403 });
  });
});
