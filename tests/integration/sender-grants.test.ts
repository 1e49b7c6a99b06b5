import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
// Types only: the modules themselves are imported after the environment is set (env() reads it once).
import type * as DbModule from "@/lib/db";
import type * as ListModule from "@/lib/grants/list-sender-grants";
import type * as GrantModule from "@/lib/grants/grant-mailbox";
import type * as RevokeModule from "@/lib/grants/revoke-grant";
import type * as AddMailboxModule from "@/lib/grants/add-sender-mailbox";
import type * as RemoveMailboxModule from "@/lib/grants/remove-sender-mailbox";
import type * as ListGroupsModule from "@/lib/groups/list-groups";
import type * as CreateGroupModule from "@/lib/groups/create-group";
import type * as DeleteGroupModule from "@/lib/groups/delete-group";
import type * as AddMemberModule from "@/lib/groups/add-group-member";
import type * as RemoveMemberModule from "@/lib/groups/remove-group-member";
import type { SessionUser } from "@/lib/auth/session";

// Sender grants and portal groups against real PostgreSQL (the real migrations, constraints and cascades).
let env: PortalEnv;
let tenantId: string;
let lib: {
  db: typeof DbModule.db;
  listSenderGrants: typeof ListModule.listSenderGrants;
  grantMailbox: typeof GrantModule.grantMailbox;
  revokeGrant: typeof RevokeModule.revokeGrant;
  addSenderMailbox: typeof AddMailboxModule.addSenderMailbox;
  removeSenderMailbox: typeof RemoveMailboxModule.removeSenderMailbox;
  listGroups: typeof ListGroupsModule.listGroups;
  createGroup: typeof CreateGroupModule.createGroup;
  deleteGroup: typeof DeleteGroupModule.deleteGroup;
  addGroupMember: typeof AddMemberModule.addGroupMember;
  removeGroupMember: typeof RemoveMemberModule.removeGroupMember;
};
const mb = { shared: "", allowed: "", outside: "" };
const ids = { shared: "", allowed: "", outside: "" };
let admin: SessionUser, sender: SessionUser, auditor: SessionUser, disabled: SessionUser;

const uniq = () => randomBytes(4).toString("hex");

async function person(name: string, role: "admin" | "sender" | "auditor", extra: { disabled?: boolean } = {}): Promise<SessionUser> {
  const email = `${name.toLowerCase().replace(/\s+/g, ".")}.${uniq()}@example.com`;
  const u = await lib.db().user.create({ data: { email, name, role, ...extra }, select: { id: true, name: true, email: true, role: true, tenantId: true } });
  return u;
}

async function audits(action: string, target?: string) {
  return lib.db().auditEvent.findMany({ where: { action, ...(target ? { target } : {}) }, orderBy: { at: "asc" } });
}

beforeAll(async () => {
  env = await startPortalEnv("grants", { senders: (e) => [e.mailboxes.shared, e.mailboxes.allowed, e.mailboxes.outsidePolicy] });
  tenantId = env.tenantId;
  lib = {
    db: (await import("@/lib/db")).db,
    listSenderGrants: (await import("@/lib/grants/list-sender-grants")).listSenderGrants,
    grantMailbox: (await import("@/lib/grants/grant-mailbox")).grantMailbox,
    revokeGrant: (await import("@/lib/grants/revoke-grant")).revokeGrant,
    addSenderMailbox: (await import("@/lib/grants/add-sender-mailbox")).addSenderMailbox,
    removeSenderMailbox: (await import("@/lib/grants/remove-sender-mailbox")).removeSenderMailbox,
    listGroups: (await import("@/lib/groups/list-groups")).listGroups,
    createGroup: (await import("@/lib/groups/create-group")).createGroup,
    deleteGroup: (await import("@/lib/groups/delete-group")).deleteGroup,
    addGroupMember: (await import("@/lib/groups/add-group-member")).addGroupMember,
    removeGroupMember: (await import("@/lib/groups/remove-group-member")).removeGroupMember,
  };
  const e = env.sb.endpoints;
  mb.shared = e.mailboxes.shared.toLowerCase();
  mb.allowed = e.mailboxes.allowed.toLowerCase();
  mb.outside = e.mailboxes.outsidePolicy.toLowerCase();
  const rows = await lib.db().senderMailbox.findMany({ where: { tenantId }, select: { id: true, address: true } });
  const idOf = (a: string) => rows.find((r) => r.address.toLowerCase() === a)!.id;
  ids.shared = idOf(mb.shared);
  ids.allowed = idOf(mb.allowed);
  ids.outside = idOf(mb.outside);
  // The three restriction states: proved by the wizard, never proved, taken out of the restriction.
  await lib.db().senderMailbox.update({ where: { id: ids.shared }, data: { policyStatus: "allowed", lastCheckedAt: new Date() } });
  await lib.db().senderMailbox.update({ where: { id: ids.outside }, data: { allowed: false, policyStatus: "allowed" } });
  admin = await person("Ada Admin", "admin");
  sender = await person("Sam Sender", "sender");
  auditor = await person("Otto Auditor", "auditor");
  disabled = await person("Dora Disabled", "sender", { disabled: true });
});

afterAll(async () => env?.close());

describe("sender grants (real PostgreSQL)", () => {
  it("starts with nobody granted anything, admins included, and labels each mailbox's restriction", async () => {
    const list = await lib.listSenderGrants(admin, { tenantId });
    expect(list.map((m) => m.address)).toEqual([mb.allowed, mb.outside, mb.shared].sort());
    expect(list.every((m) => m.grants.length === 0)).toBe(true);
    const label = Object.fromEntries(list.map((m) => [m.address, m.restriction]));
    expect(label[mb.shared]).toBe("proved");
    expect(label[mb.allowed]).toBe("not proved");
    // allowed=false wins over an older proof.
    expect(label[mb.outside]).toBe("outside the restriction");
    // View objects: nothing beyond what the page shows.
    expect(Object.keys(list[0]!).sort()).toEqual(["address", "allowed", "displayName", "grants", "id", "kind", "lastCheckedAt", "policyStatus", "restriction"]);
  });

  it("grants a mailbox to a person and to a group, lists both, and audits each with after", async () => {
    const group = await lib.createGroup(admin, { name: `HR team ${uniq()}` });
    await lib.addGroupMember(admin, { groupId: group.id, userId: sender.id });
    await lib.addGroupMember(admin, { groupId: group.id, userId: disabled.id });

    await lib.grantMailbox(admin, { tenantId, mailboxId: ids.shared, groupId: group.id });
    await lib.grantMailbox(admin, { tenantId, mailboxId: ids.allowed, userId: sender.id });
    // An admin grants themselves like anyone else.
    await lib.grantMailbox(admin, { tenantId, mailboxId: ids.allowed, userId: admin.id });

    const list = await lib.listSenderGrants(admin, { tenantId });
    const shared = list.find((m) => m.address === mb.shared)!;
    expect(shared.grants).toEqual([expect.objectContaining({ kind: "group", principalId: group.id, name: group.name, memberCount: 2, email: null })]);
    const allowed = list.find((m) => m.address === mb.allowed)!;
    expect(allowed.grants.map((g) => [g.kind, g.principalId, g.name, g.email])).toEqual([
      ["user", sender.id, "Sam Sender", sender.email],
      ["user", admin.id, "Ada Admin", admin.email],
    ]);
    expect(list.find((m) => m.address === mb.outside)!.grants).toEqual([]);

    const added = await audits("grant.added", mb.shared);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ actorId: admin.id, actorName: "Ada Admin", tenantId, after: { principal: "group", id: group.id, name: group.name } });
    const row = await lib.db().senderGrant.findFirstOrThrow({ where: { mailboxId: ids.shared, groupId: group.id } });
    expect(row.grantedById).toBe(admin.id);
  });

  it("searches mailbox addresses and grantees, case-insensitively", async () => {
    const byGroup = await lib.listSenderGrants(admin, { tenantId, q: "hr TEAM" });
    expect(byGroup.map((m) => m.address)).toEqual([mb.shared]);
    expect(byGroup[0]!.grants.map((g) => g.kind)).toEqual(["group"]);

    // A grantee match shows that mailbox with the matching grants only.
    const byEmail = await lib.listSenderGrants(admin, { tenantId, q: sender.email.toUpperCase() });
    expect(byEmail.map((m) => m.address)).toEqual([mb.allowed]);
    expect(byEmail[0]!.grants.map((g) => g.principalId)).toEqual([sender.id]);

    // An address match shows the mailbox with every grant.
    const byAddress = await lib.listSenderGrants(admin, { tenantId, q: mb.allowed.slice(0, 6).toUpperCase() });
    expect(byAddress.map((m) => m.address)).toContain(mb.allowed);
    expect(byAddress.find((m) => m.address === mb.allowed)!.grants).toHaveLength(2);

    expect(await lib.listSenderGrants(admin, { tenantId, q: `nobody-${uniq()}` })).toEqual([]);
    // Another tenant's id shows nothing of this one.
    expect(await lib.listSenderGrants(admin, { tenantId: "no-such-tenant" })).toEqual([]);
  });

  it("refuses a duplicate grant with a clear 409, also when two admins race", async () => {
    await expect(lib.grantMailbox(admin, { tenantId, mailboxId: ids.allowed, userId: sender.id })).rejects.toMatchObject({
      name: "AppError",
      code: "GRANT_EXISTS",
      status: 409,
      userMessage: `Sam Sender may already send as ${mb.allowed}.`,
      fields: { userId: expect.stringContaining("already") },
    });
    const racer = await person("Rita Racer", "sender");
    const results = await Promise.allSettled([
      lib.grantMailbox(admin, { tenantId, mailboxId: ids.outside, userId: racer.id }),
      lib.grantMailbox(admin, { tenantId, mailboxId: ids.outside, userId: racer.id }),
      lib.grantMailbox(admin, { tenantId, mailboxId: ids.outside, userId: racer.id }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((x) => x.status === "rejected")) expect(r.reason).toMatchObject({ code: "GRANT_EXISTS", status: 409 });
    expect(await lib.db().senderGrant.count({ where: { userId: racer.id } })).toBe(1);
    expect(await lib.db().auditEvent.count({ where: { action: "grant.added", target: mb.outside } })).toBe(1);
  });

  it("refuses to grant an auditor or a disabled person, naming the field", async () => {
    await expect(lib.grantMailbox(admin, { tenantId, mailboxId: ids.shared, userId: auditor.id })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      status: 422,
      fields: { userId: expect.stringMatching(/Otto Auditor is an auditor and cannot send/) },
    });
    await expect(lib.grantMailbox(admin, { tenantId, mailboxId: ids.shared, userId: disabled.id })).rejects.toMatchObject({
      fields: { userId: expect.stringMatching(/disabled/) },
    });
    await expect(lib.grantMailbox(admin, { tenantId, mailboxId: ids.shared, userId: "nobody" })).rejects.toMatchObject({ status: 404, fields: { userId: expect.any(String) } });
    await expect(lib.grantMailbox(admin, { tenantId, mailboxId: ids.shared, groupId: "nobody" })).rejects.toMatchObject({ status: 404, fields: { groupId: expect.any(String) } });
    await expect(lib.grantMailbox(admin, { tenantId, mailboxId: ids.shared })).rejects.toMatchObject({ fields: { userId: "Choose a person or a group." } });
    expect(await lib.db().senderGrant.count({ where: { userId: { in: [auditor.id, disabled.id] } } })).toBe(0);
  });

  it("keeps mailboxes inside their tenant", async () => {
    const other = await lib.db().tenant.create({ data: { name: "Fabrikam", directoryId: "fabrikam.example.com", senders: { create: { address: "ops@fabrikam.example.com" } } }, select: { id: true, senders: { select: { id: true } } } });
    // Fabrikam's mailbox through the Sandbox tenant's page: not found.
    await expect(lib.grantMailbox(admin, { tenantId, mailboxId: other.senders[0]!.id, userId: sender.id })).rejects.toMatchObject({ code: "NOT_FOUND", status: 404 });
    await expect(lib.removeSenderMailbox(admin, { tenantId, mailboxId: other.senders[0]!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await lib.db().senderMailbox.count({ where: { tenantId: other.id } })).toBe(1);
  });

  it("lets only admins change grants; auditors read, senders do not", async () => {
    for (const who of [sender, auditor]) {
      await expect(lib.grantMailbox(who, { tenantId, mailboxId: ids.shared, userId: sender.id })).rejects.toMatchObject({ code: "FORBIDDEN", status: 403 });
      await expect(lib.addSenderMailbox(who, { tenantId, address: `x.${uniq()}@contoso.sandbox` })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(lib.createGroup(who, { name: `Sneaky ${uniq()}` })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(lib.listGroups(who)).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    const grant = await lib.db().senderGrant.findFirstOrThrow({ where: { mailboxId: ids.allowed, userId: sender.id } });
    await expect(lib.revokeGrant(auditor, { tenantId, grantId: grant.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(lib.removeSenderMailbox(sender, { tenantId, mailboxId: ids.allowed })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await lib.listSenderGrants(auditor, { tenantId })).length).toBe(3);
    await expect(lib.listSenderGrants(sender, { tenantId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await lib.db().senderGrant.count({ where: { userId: sender.id, mailboxId: ids.shared } })).toBe(0);
  });

  it("revokes a grant and audits it with before; a second revoke is a clear 404", async () => {
    const grant = await lib.db().senderGrant.findFirstOrThrow({ where: { mailboxId: ids.allowed, userId: sender.id } });
    await lib.revokeGrant(admin, { tenantId, grantId: grant.id });
    const allowed = (await lib.listSenderGrants(admin, { tenantId })).find((m) => m.address === mb.allowed)!;
    expect(allowed.grants.map((g) => g.principalId)).toEqual([admin.id]);
    const removed = await audits("grant.removed", mb.allowed);
    expect(removed).toHaveLength(1);
    expect(removed[0]).toMatchObject({ actorId: admin.id, tenantId, before: { principal: "user", id: sender.id, name: "Sam Sender", email: sender.email }, after: null });
    await expect(lib.revokeGrant(admin, { tenantId, grantId: grant.id })).rejects.toMatchObject({ code: "NOT_FOUND", status: 404 });
    // Scoped to the tenant: the right grant id under another tenant is not found either.
    const other = await lib.db().senderGrant.findFirstOrThrow({ where: { mailboxId: ids.allowed, userId: admin.id } });
    await expect(lib.revokeGrant(admin, { tenantId: "another-tenant", grantId: other.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await lib.db().senderGrant.count({ where: { id: other.id } })).toBe(1);
  });
});

describe("sender mailboxes", () => {
  it.each([
    ["markup", `"><script>alert(1)</script>@contoso.sandbox`],
    ["a header after CRLF", "hr@contoso.sandbox\r\nBcc: everyone@contoso.sandbox"],
    ["a trailing CRLF", "hr@contoso.sandbox\r\n"],
    ["a bare LF", "hr@contoso.sandbox\nx"],
    ["no domain", "hr@"],
    ["empty", "   "],
  ])("refuses %s with a message on the address field", async (_what, address) => {
    const before = await lib.db().senderMailbox.count();
    const err = await lib.addSenderMailbox(admin, { tenantId, address }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "AppError", code: "VALIDATION_FAILED", status: 422, fields: { address: expect.any(String) } });
    expect((err as { fields: Record<string, string> }).fields.address).not.toContain("<script>");
    expect(await lib.db().senderMailbox.count()).toBe(before);
  });

  it("adds an address in lower case as allowed but not proved, audits it, and refuses a duplicate on the field", async () => {
    const local = `new.box.${uniq()}`;
    const m = await lib.addSenderMailbox(admin, { tenantId, address: `  ${local.toUpperCase()}@Contoso.Sandbox ` });
    expect(m.address).toBe(`${local}@contoso.sandbox`);
    const row = await lib.db().senderMailbox.findUniqueOrThrow({ where: { id: m.id } });
    expect(row).toMatchObject({ tenantId, allowed: true, policyStatus: "unknown" });
    const listed = (await lib.listSenderGrants(admin, { tenantId, q: local })).map((x) => [x.address, x.restriction]);
    expect(listed).toEqual([[m.address, "not proved"]]);
    expect(await audits("mailbox.added", m.address)).toEqual([expect.objectContaining({ actorId: admin.id, tenantId, after: { address: m.address, allowed: true, policyStatus: "unknown" } })]);

    await expect(lib.addSenderMailbox(admin, { tenantId, address: m.address.toUpperCase() })).rejects.toMatchObject({
      code: "MAILBOX_EXISTS",
      status: 409,
      fields: { address: `${m.address} is already a sender mailbox of Sandbox.` },
    });
    await expect(lib.addSenderMailbox(admin, { tenantId: "no-such-tenant", address: `a.${uniq()}@contoso.sandbox` })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("removes a mailbox with its grants and audits it", async () => {
    const m = await lib.addSenderMailbox(admin, { tenantId, address: `gone.${uniq()}@contoso.sandbox` });
    await lib.grantMailbox(admin, { tenantId, mailboxId: m.id, userId: sender.id });
    await lib.removeSenderMailbox(admin, { tenantId, mailboxId: m.id });
    expect(await lib.db().senderMailbox.count({ where: { id: m.id } })).toBe(0);
    expect(await lib.db().senderGrant.count({ where: { mailboxId: m.id } })).toBe(0);
    expect(await audits("mailbox.removed", m.address)).toEqual([expect.objectContaining({ actorId: admin.id, before: expect.objectContaining({ address: m.address, grants: 1 }) })]);
    await expect(lib.removeSenderMailbox(admin, { tenantId, mailboxId: m.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("portal groups", () => {
  it("validates names and refuses a duplicate in any letter case on the name field", async () => {
    await expect(lib.createGroup(admin, { name: "  " })).rejects.toMatchObject({ code: "VALIDATION_FAILED", fields: { name: expect.stringMatching(/Enter a group name/) } });
    await expect(lib.createGroup(admin, { name: "x".repeat(81) })).rejects.toMatchObject({ fields: { name: expect.stringMatching(/80 characters/) } });
    await expect(lib.createGroup(admin, { name: "HR\r\nteam" })).rejects.toMatchObject({ fields: { name: expect.stringMatching(/one line/) } });
    const name = `Finance ${uniq()}`;
    const g = await lib.createGroup(admin, { name: ` ${name} `, description: "Invoices" });
    expect(g.name).toBe(name);
    await expect(lib.createGroup(admin, { name: name.toUpperCase() })).rejects.toMatchObject({ code: "GROUP_EXISTS", status: 409, fields: { name: expect.stringContaining("exists already") } });
    expect(await audits("group.created", name)).toEqual([expect.objectContaining({ actorId: admin.id, after: { name, description: "Invoices" } })]);
    expect(await lib.createGroup(admin, { name: "x".repeat(80) })).toMatchObject({ name: "x".repeat(80) });
  });

  it("adds and removes members (disabled people may be members, auditors may not) and audits each", async () => {
    const g = await lib.createGroup(admin, { name: `Payroll ${uniq()}` });
    await lib.addGroupMember(admin, { groupId: g.id, userId: sender.id });
    await lib.addGroupMember(admin, { groupId: g.id, userId: disabled.id });
    await expect(lib.addGroupMember(admin, { groupId: g.id, userId: sender.id })).rejects.toMatchObject({ status: 409, fields: { userId: expect.stringContaining("already a member") } });
    await expect(lib.addGroupMember(admin, { groupId: g.id, userId: auditor.id })).rejects.toMatchObject({ fields: { userId: expect.stringContaining("auditor") } });
    await expect(lib.addGroupMember(admin, { groupId: "nope", userId: sender.id })).rejects.toMatchObject({ code: "NOT_FOUND" });

    const { groups, people } = await lib.listGroups(admin);
    const view = groups.find((x) => x.id === g.id)!;
    expect(view.members.map((m) => [m.id, m.disabled]).sort()).toEqual([[disabled.id, true], [sender.id, false]].sort());
    expect(people.map((p) => p.id)).toEqual(expect.arrayContaining([admin.id, sender.id, auditor.id, disabled.id]));
    expect(Object.keys(people[0]!).sort()).toEqual(["disabled", "email", "id", "name", "role"]);

    await lib.removeGroupMember(admin, { groupId: g.id, userId: sender.id });
    await expect(lib.removeGroupMember(admin, { groupId: g.id, userId: sender.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await audits("group.member-added", g.name)).toHaveLength(2);
    expect(await audits("group.member-removed", g.name)).toEqual([expect.objectContaining({ before: { userId: sender.id, name: "Sam Sender", email: sender.email } })]);
  });

  it("deletes a group with its memberships and grants, and audits what it had", async () => {
    const g = await lib.createGroup(admin, { name: `Temp ${uniq()}` });
    await lib.addGroupMember(admin, { groupId: g.id, userId: sender.id });
    await lib.grantMailbox(admin, { tenantId, mailboxId: ids.allowed, groupId: g.id });
    expect((await lib.listGroups(admin)).groups.find((x) => x.id === g.id)!.mailboxes).toEqual([{ address: mb.allowed, tenantName: "Sandbox" }]);
    await lib.deleteGroup(admin, { groupId: g.id });
    expect(await lib.db().senderGrant.count({ where: { groupId: g.id } })).toBe(0);
    expect(await lib.db().portalGroupMember.count({ where: { groupId: g.id } })).toBe(0);
    expect(await audits("group.deleted", g.name)).toEqual([expect.objectContaining({ before: { name: g.name, members: [sender.email], mailboxes: [mb.allowed] } })]);
    await expect(lib.deleteGroup(admin, { groupId: g.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(lib.deleteGroup(sender, { groupId: g.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
