import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
// Types only (erased): the modules themselves are imported after startPortalEnv has set the environment.
import type { db } from "@/lib/db";
import type { updateAdmission } from "@/lib/admission/update-admission";
import type { inviteUser } from "@/lib/admission/invite-user";
import type { revokeInvitation } from "@/lib/admission/revoke-invitation";
import type { listAdmission } from "@/lib/admission/list-admission";
import type { decideAccessRequest } from "@/lib/admission/decide-access-request";

// Admission of Microsoft users (lib/admission) against real PostgreSQL: every operation is admin-only,
// validated with the forms' schema, audited, and safe when two admins act at once.

type Actor = { id: string; name: string | null; email: string; role: "admin" | "sender" | "auditor"; tenantId: string | null };

let env: PortalEnv;
let admin: Actor;
let sender: Actor;
let auditor: Actor;
let lib: {
  db: typeof db;
  updateAdmission: typeof updateAdmission;
  inviteUser: typeof inviteUser;
  revokeInvitation: typeof revokeInvitation;
  listAdmission: typeof listAdmission;
  decideAccessRequest: typeof decideAccessRequest;
};

beforeAll(async () => {
  env = await startPortalEnv("admission");
  // lib/ reads the environment once: import it only after the harness has set it.
  lib = {
    db: (await import("@/lib/db")).db,
    updateAdmission: (await import("@/lib/admission/update-admission")).updateAdmission,
    inviteUser: (await import("@/lib/admission/invite-user")).inviteUser,
    revokeInvitation: (await import("@/lib/admission/revoke-invitation")).revokeInvitation,
    listAdmission: (await import("@/lib/admission/list-admission")).listAdmission,
    decideAccessRequest: (await import("@/lib/admission/decide-access-request")).decideAccessRequest,
  };
  const make = async (role: Actor["role"], email: string): Promise<Actor> =>
    lib.db().user.create({ data: { email, name: `${role} person`, role }, select: { id: true, name: true, email: true, role: true, tenantId: true } });
  admin = await make("admin", "ada.admin@example.com");
  sender = await make("sender", "sam.sender@example.com");
  auditor = await make("auditor", "aud.auditor@example.com");
});

afterAll(async () => {
  await env?.close();
});

const audits = (action: string, target?: string) => lib.db().auditEvent.findMany({ where: { action, ...(target ? { target } : {}) }, orderBy: { at: "asc" } });

/** An access request as the sign-in callback writes it (lib/auth/admit-microsoft.ts). */
async function request(email: string, name = "Requesting Person") {
  return lib.db().accessRequest.create({
    data: { tenantId: env.tenantId, entraTid: env.sb.endpoints.tenant.id.toLowerCase(), entraObjectId: randomUUID(), email, name },
    select: { id: true, entraTid: true, entraObjectId: true },
  });
}

describe("roles", () => {
  it("refuses senders and auditors for every operation, and changes nothing", async () => {
    const req = await request("someone@contoso.example");
    const inv = await lib.inviteUser(admin, { tenantId: env.tenantId, email: "roles.check@contoso.example", role: "sender" });
    for (const actor of [sender, auditor]) {
      await expect(lib.updateAdmission(actor, { tenantId: env.tenantId, admission: "automatic", admissionRole: "sender" })).rejects.toMatchObject({ code: "FORBIDDEN", status: 403 });
      await expect(lib.inviteUser(actor, { tenantId: env.tenantId, email: "x@contoso.example", role: "admin" })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(lib.revokeInvitation(actor, { invitationId: inv.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(lib.listAdmission(actor)).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(lib.decideAccessRequest(actor, { requestId: req.id, decision: "approve", role: "admin" })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(lib.decideAccessRequest(actor, { requestId: req.id, decision: "reject" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    const t = await lib.db().tenant.findUniqueOrThrow({ where: { id: env.tenantId } });
    expect([t.admission, t.admissionRole]).toEqual(["approval", "sender"]);
    expect(await lib.db().invitation.count({ where: { email: "x@contoso.example" } })).toBe(0);
    expect((await lib.db().invitation.findUniqueOrThrow({ where: { id: inv.id } })).revokedAt).toBeNull();
    expect((await lib.db().accessRequest.findUniqueOrThrow({ where: { id: req.id } })).status).toBe("pending");
    await lib.decideAccessRequest(admin, { requestId: req.id, decision: "reject" });
    await lib.revokeInvitation(admin, { invitationId: inv.id });
  });
});

describe("admission mode", () => {
  it("defaults to approval with the sender role, and records each change with before and after", async () => {
    const t = await lib.db().tenant.findUniqueOrThrow({ where: { id: env.tenantId } });
    expect([t.admission, t.admissionRole]).toEqual(["approval", "sender"]);
    await lib.updateAdmission(admin, { tenantId: env.tenantId, admission: "automatic", admissionRole: "auditor" });
    const after = await lib.db().tenant.findUniqueOrThrow({ where: { id: env.tenantId } });
    expect([after.admission, after.admissionRole]).toEqual(["automatic", "auditor"]);
    const [event] = await audits("tenant.admission-changed");
    expect(event).toMatchObject({
      actorId: admin.id,
      tenantId: env.tenantId,
      target: "Sandbox",
      before: { admission: "approval", admissionRole: "sender" },
      after: { admission: "automatic", admissionRole: "auditor" },
    });
    await lib.updateAdmission(admin, { tenantId: env.tenantId, admission: "approval", admissionRole: "sender" });
    expect(await audits("tenant.admission-changed")).toHaveLength(2);
  });

  it("never admits people as admin automatically: the role field is refused and nothing changes", async () => {
    await expect(lib.updateAdmission(admin, { tenantId: env.tenantId, admission: "automatic", admissionRole: "admin" })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      status: 422,
      fields: { admissionRole: expect.stringMatching(/never made automatically/) },
    });
    await expect(lib.updateAdmission(admin, { tenantId: env.tenantId, admission: "everyone", admissionRole: "sender" })).rejects.toMatchObject({
      fields: { admission: expect.any(String) },
    });
    await expect(lib.updateAdmission(admin, { tenantId: "no-such-tenant", admission: "invitation", admissionRole: "sender" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const t = await lib.db().tenant.findUniqueOrThrow({ where: { id: env.tenantId } });
    expect([t.admission, t.admissionRole]).toEqual(["approval", "sender"]);
    expect(await audits("tenant.admission-changed")).toHaveLength(2);
  });
});

describe("invitations", () => {
  it("stores the address in lower case, open for 14 days, and audits it", async () => {
    const before = Date.now();
    const inv = await lib.inviteUser(admin, { tenantId: env.tenantId, email: "  Adele.Vance@Contoso.Example ", role: "auditor" });
    expect(inv).toMatchObject({ email: "adele.vance@contoso.example", role: "auditor" });
    const row = await lib.db().invitation.findUniqueOrThrow({ where: { id: inv.id } });
    expect(row).toMatchObject({ tenantId: env.tenantId, email: "adele.vance@contoso.example", role: "auditor", invitedById: admin.id, acceptedAt: null, revokedAt: null });
    const days = (row.expiresAt.getTime() - before) / 86_400_000;
    expect(days).toBeGreaterThan(13.99);
    expect(days).toBeLessThan(14.01);
    const [event] = await audits("invitation.created", "adele.vance@contoso.example");
    expect(event).toMatchObject({ actorId: admin.id, tenantId: env.tenantId, after: { email: "adele.vance@contoso.example", role: "auditor" } });
  });

  it("refuses hostile and malformed addresses on the email field, and stores nothing", async () => {
    const count = await lib.db().invitation.count();
    const bad = [
      '"><script>alert(1)</script>',
      '"><script>alert(1)</script>@contoso.example',
      "eve@contoso.example\r\nBcc: all@contoso.example",
      "eve@contoso.example\nx",
      "eve@contoso.example\u0000",
      "eve@contoso.example, mallory@contoso.example",
      "Eve <eve@contoso.example>",
      "not-an-address",
      "eve@localhost",
      "",
      `${"a".repeat(250)}@contoso.example`,
    ];
    for (const email of bad) {
      await expect(lib.inviteUser(admin, { tenantId: env.tenantId, email, role: "sender" }), JSON.stringify(email)).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
        status: 422,
        fields: { email: expect.any(String) },
      });
    }
    await expect(lib.inviteUser(admin, { tenantId: env.tenantId, email: "ok@contoso.example", role: "owner" })).rejects.toMatchObject({ fields: { role: expect.any(String) } });
    await expect(lib.inviteUser(admin, { tenantId: "no-such-tenant", email: "ok@contoso.example", role: "sender" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await lib.db().invitation.count()).toBe(count);
  });

  it("allows one open invitation per tenant and address: a second is a 409 on the email field", async () => {
    await lib.inviteUser(admin, { tenantId: env.tenantId, email: "twice@contoso.example", role: "sender" });
    await expect(lib.inviteUser(admin, { tenantId: env.tenantId, email: "TWICE@contoso.example", role: "admin" })).rejects.toMatchObject({
      code: "INVITATION_EXISTS",
      status: 409,
      fields: { email: expect.stringMatching(/twice@contoso\.example already has an open invitation to Sandbox/) },
    });
    // Two admins at the same moment: exactly one invitation.
    const raced = await Promise.allSettled(
      Array.from({ length: 6 }, () => lib.inviteUser(admin, { tenantId: env.tenantId, email: "race@contoso.example", role: "sender" })),
    );
    expect(raced.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of raced.filter((r) => r.status === "rejected")) expect(r).toMatchObject({ reason: { code: "INVITATION_EXISTS" } });
    expect(await lib.db().invitation.count({ where: { email: "race@contoso.example" } })).toBe(1);
    // An expired invitation does not block a new one.
    await lib.db().invitation.updateMany({ where: { email: "twice@contoso.example" }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await lib.inviteUser(admin, { tenantId: env.tenantId, email: "twice@contoso.example", role: "sender" });
  });

  it("revokes an open invitation once, audited; accepted and revoked ones give a 409", async () => {
    const inv = await lib.inviteUser(admin, { tenantId: env.tenantId, email: "revoke.me@contoso.example", role: "sender" });
    await lib.revokeInvitation(admin, { invitationId: inv.id });
    expect((await lib.db().invitation.findUniqueOrThrow({ where: { id: inv.id } })).revokedAt).toBeInstanceOf(Date);
    expect(await audits("invitation.revoked", "revoke.me@contoso.example")).toMatchObject([{ actorId: admin.id, tenantId: env.tenantId }]);
    await expect(lib.revokeInvitation(admin, { invitationId: inv.id })).rejects.toMatchObject({ code: "INVITATION_CLOSED", status: 409 });
    // Revoked, the address can be invited again.
    await lib.inviteUser(admin, { tenantId: env.tenantId, email: "revoke.me@contoso.example", role: "auditor" });

    const accepted = await lib.inviteUser(admin, { tenantId: env.tenantId, email: "accepted@contoso.example", role: "sender" });
    await lib.db().invitation.update({ where: { id: accepted.id }, data: { acceptedAt: new Date() } });
    await expect(lib.revokeInvitation(admin, { invitationId: accepted.id })).rejects.toMatchObject({ code: "INVITATION_CLOSED", userMessage: expect.stringMatching(/already accepted/) });
    expect((await lib.db().invitation.findUniqueOrThrow({ where: { id: accepted.id } })).revokedAt).toBeNull();
    await expect(lib.revokeInvitation(admin, { invitationId: "nope" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await audits("invitation.revoked", "accepted@contoso.example")).toHaveLength(0);
  });
});

describe("access requests", () => {
  it("approving creates the person's account bound to the request's (tid, oid), once", async () => {
    const req = await request("Nestor.Wilke@Contoso.Example", "Nestor Wilke");
    await expect(lib.decideAccessRequest(admin, { requestId: req.id, decision: "approve" })).rejects.toMatchObject({ fields: { role: expect.any(String) } });
    const decided = await lib.decideAccessRequest(admin, { requestId: req.id, decision: "approve", role: "sender" });
    expect(decided.status).toBe("approved");
    const user = await lib.db().user.findUniqueOrThrow({ where: { entraTid_entraObjectId: { entraTid: req.entraTid, entraObjectId: req.entraObjectId } } });
    expect(user).toMatchObject({ id: decided.userId, email: "nestor.wilke@contoso.example", name: "Nestor Wilke", role: "sender", tenantId: env.tenantId, disabled: false });
    const row = await lib.db().accessRequest.findUniqueOrThrow({ where: { id: req.id } });
    expect(row).toMatchObject({ status: "approved", role: "sender", decidedById: admin.id, userId: user.id });
    expect(row.decidedAt).toBeInstanceOf(Date);
    expect(await audits("access.approved", "Nestor.Wilke@Contoso.Example")).toMatchObject([{ actorId: admin.id, tenantId: env.tenantId, after: { role: "sender", userId: user.id } }]);

    // A second decision, either way, is a clear 409 and changes nothing.
    await expect(lib.decideAccessRequest(admin, { requestId: req.id, decision: "approve", role: "admin" })).rejects.toMatchObject({
      code: "ALREADY_DECIDED",
      status: 409,
      userMessage: expect.stringMatching(/already approved/),
    });
    await expect(lib.decideAccessRequest(admin, { requestId: req.id, decision: "reject" })).rejects.toMatchObject({ code: "ALREADY_DECIDED" });
    expect((await lib.db().user.findUniqueOrThrow({ where: { id: user.id } })).role).toBe("sender");
    expect(await lib.db().accessRequest.findUniqueOrThrow({ where: { id: req.id } })).toMatchObject({ status: "approved", role: "sender" });
    expect(await audits("access.approved", "Nestor.Wilke@Contoso.Example")).toHaveLength(1);
  });

  it("links an account that already has the identity instead of creating a second one", async () => {
    const req = await request("irvin@contoso.example", "Irvin Sayers");
    const existing = await lib.db().user.create({
      data: { email: "irvin@contoso.example", role: "auditor", tenantId: env.tenantId, entraTid: req.entraTid, entraObjectId: req.entraObjectId },
    });
    const decided = await lib.decideAccessRequest(admin, { requestId: req.id, decision: "approve", role: "admin" });
    expect(decided.userId).toBe(existing.id);
    expect(await lib.db().user.count({ where: { entraObjectId: req.entraObjectId } })).toBe(1);
    expect((await lib.db().user.findUniqueOrThrow({ where: { id: existing.id } })).role).toBe("auditor");
    expect((await audits("access.approved", "irvin@contoso.example"))[0]?.after).toMatchObject({ linkedExisting: true });
  });

  it("declining creates no account, is audited, and cannot be turned into an approval", async () => {
    const req = await request("lynne@contoso.example", "Lynne Robbins");
    const users = await lib.db().user.count();
    expect(await lib.decideAccessRequest(admin, { requestId: req.id, decision: "reject", role: "admin" })).toEqual({ status: "rejected", userId: null });
    expect(await lib.db().accessRequest.findUniqueOrThrow({ where: { id: req.id } })).toMatchObject({ status: "rejected", decidedById: admin.id, role: null, userId: null });
    expect(await lib.db().user.count()).toBe(users);
    expect(await audits("access.rejected", "lynne@contoso.example")).toMatchObject([{ actorId: admin.id, tenantId: env.tenantId }]);
    await expect(lib.decideAccessRequest(admin, { requestId: req.id, decision: "approve", role: "sender" })).rejects.toMatchObject({
      code: "ALREADY_DECIDED",
      userMessage: expect.stringMatching(/already declined/),
    });
    expect(await lib.db().user.count()).toBe(users);
    await expect(lib.decideAccessRequest(admin, { requestId: "nope", decision: "reject" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(lib.decideAccessRequest(admin, { requestId: req.id, decision: "maybe" })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });

  it("two admins deciding at the same moment: one decision, one account", async () => {
    const req = await request("race.person@contoso.example");
    const results = await Promise.allSettled([
      lib.decideAccessRequest(admin, { requestId: req.id, decision: "approve", role: "sender" }),
      lib.decideAccessRequest(admin, { requestId: req.id, decision: "approve", role: "auditor" }),
      lib.decideAccessRequest(admin, { requestId: req.id, decision: "reject" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected")) expect(r).toMatchObject({ reason: { code: "ALREADY_DECIDED" } });
    expect(await lib.db().user.count({ where: { entraObjectId: req.entraObjectId } })).toBeLessThanOrEqual(1);
    expect((await audits("access.approved", "race.person@contoso.example")).length + (await audits("access.rejected", "race.person@contoso.example")).length).toBe(1);
  });

  it("the approved person's next Microsoft sign-in matches the account by (tid, oid)", async () => {
    const { admitMicrosoftSignIn } = await import("@/lib/auth/admit-microsoft");
    const oid = randomUUID();
    const tid = env.sb.endpoints.tenant.id;
    const first = await admitMicrosoftSignIn({ tenantId: env.tenantId, tid, oid, name: "Pradeep Gupta", email: "pradeep@contoso.example" });
    expect(first).toEqual({ ok: false, redirect: `/sign-in/waiting?tenant=${env.tenantId}` });
    const { tenants, pendingCount } = await lib.listAdmission(admin);
    const pending = tenants.find((t) => t.id === env.tenantId)!.pending.find((r) => r.email === "pradeep@contoso.example")!;
    expect(pendingCount).toBeGreaterThanOrEqual(1);
    const decided = await lib.decideAccessRequest(admin, { requestId: pending.id, decision: "approve", role: "sender" });
    // Another address in the token changes nothing: identity is (tid, oid).
    expect(await admitMicrosoftSignIn({ tenantId: env.tenantId, tid, oid, name: "Pradeep Gupta", email: "renamed@contoso.example" })).toEqual({ ok: true, userId: decided.userId });
  });
});

describe("the admission overview", () => {
  it("lists per tenant the mode, the invitations that are not revoked and the requests, as view objects", async () => {
    const expired = await lib.inviteUser(admin, { tenantId: env.tenantId, email: "expired.view@contoso.example", role: "sender" });
    await lib.db().invitation.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 60_000) } });
    const waiting = await request("waiting.view@contoso.example", "Waiting View");
    const { tenants, pendingCount } = await lib.listAdmission(admin);
    expect(tenants).toHaveLength(1);
    const t = tenants[0]!;
    expect(Object.keys(t).sort()).toEqual(["admission", "admissionRole", "decided", "id", "invitations", "name", "pending"]);
    expect(t).toMatchObject({ id: env.tenantId, name: "Sandbox", admission: "approval", admissionRole: "sender" });

    const byEmail = (email: string) => t.invitations.filter((i) => i.email === email);
    expect(byEmail("adele.vance@contoso.example")).toMatchObject([{ status: "open", role: "auditor" }]);
    expect(byEmail("accepted@contoso.example")).toMatchObject([{ status: "accepted" }]);
    expect(byEmail("expired.view@contoso.example")).toMatchObject([{ status: "expired" }]);
    expect(byEmail("revoke.me@contoso.example")).toMatchObject([{ status: "open", role: "auditor" }]); // the revoked one is left out
    expect(byEmail("roles.check@contoso.example")).toEqual([]);

    expect(t.pending.map((r) => r.email)).toEqual(["waiting.view@contoso.example"]);
    expect(pendingCount).toBe(1);
    expect(Object.keys(t.pending[0]!).sort()).toEqual(["decidedAt", "decidedBy", "email", "id", "lastTriedAt", "name", "requestedAt", "role", "status"]);
    expect(t.pending[0]).toMatchObject({ id: waiting.id, name: "Waiting View", status: "pending" });
    expect(t.decided.find((r) => r.email === "lynne@contoso.example")).toMatchObject({ status: "rejected", decidedBy: admin.name });
    expect(t.decided.find((r) => r.email === "Nestor.Wilke@Contoso.Example")).toMatchObject({ status: "approved", role: "sender" });
    expect(JSON.stringify(tenants)).not.toMatch(/entraObjectId|credentialCipher|passwordHash/);
  });
});
