import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
import type * as DbModule from "@/lib/db";
import type * as CreateModule from "@/lib/devices/create-device";
import type * as UpdateModule from "@/lib/devices/update-device";
import type * as RotateModule from "@/lib/devices/rotate-password";
import type * as RevokeModule from "@/lib/devices/revoke-device";
import type * as ListModule from "@/lib/devices/list-devices";
import type * as ViewModule from "@/lib/devices/device-view";
import type * as TestSendModule from "@/lib/devices/test-send";
import type * as SecretModule from "@/lib/devices/secret";
import type * as WhereModule from "@/lib/history/where";

/**
 * SMTP devices' admin operations (lib/devices) against real PostgreSQL: grants only of the device's own
 * tenant, every rule named on its field, passwords stored as hashes and shown once, role checks in every
 * operation, an audit event for every change, and History's device filter.
 */
let env: PortalEnv;
type Lib = {
  db: typeof DbModule.db;
  createDevice: typeof CreateModule.createDevice;
  updateDevice: typeof UpdateModule.updateDevice;
  rotateDevicePassword: typeof RotateModule.rotateDevicePassword;
  revokeDevice: typeof RevokeModule.revokeDevice;
  listDevices: typeof ListModule.listDevices;
  deviceView: typeof ViewModule.deviceView;
  testSendDevice: typeof TestSendModule.testSendDevice;
  hashDevicePassword: typeof SecretModule.hashDevicePassword;
  filterSql: typeof WhereModule.filterSql;
};
let lib: Lib;
const people = {
  admin: { id: "", name: "Ada", email: "ada.devices@example.com", role: "admin" as const, tenantId: null },
  auditor: { id: "", name: "Audrey", email: "audrey.devices@example.com", role: "auditor" as const, tenantId: null },
  sender: { id: "", name: "Sam", email: "sam.devices@example.com", role: "sender" as const, tenantId: null },
};
let mailboxes: { id: string; address: string }[] = [];
let otherTenantMailbox = "";

beforeAll(async () => {
  // No SMTP listener in this process: port 1 is closed, so "Send a test" meets a relay that is not there.
  process.env.PORTAL_SMTP_PORT = "1";
  env = await startPortalEnv("devices", { senders: (e) => [e.mailboxes.shared, e.mailboxes.allowed, e.mailboxes.outsidePolicy] });
  lib = {
    db: (await import("@/lib/db")).db,
    createDevice: (await import("@/lib/devices/create-device")).createDevice,
    updateDevice: (await import("@/lib/devices/update-device")).updateDevice,
    rotateDevicePassword: (await import("@/lib/devices/rotate-password")).rotateDevicePassword,
    revokeDevice: (await import("@/lib/devices/revoke-device")).revokeDevice,
    listDevices: (await import("@/lib/devices/list-devices")).listDevices,
    deviceView: (await import("@/lib/devices/device-view")).deviceView,
    testSendDevice: (await import("@/lib/devices/test-send")).testSendDevice,
    hashDevicePassword: (await import("@/lib/devices/secret")).hashDevicePassword,
    filterSql: (await import("@/lib/history/where")).filterSql,
  };
  for (const p of Object.values(people)) p.id = (await lib.db().user.create({ data: { email: p.email, name: p.name, role: p.role } })).id;
  mailboxes = await lib.db().senderMailbox.findMany({ where: { tenantId: env.tenantId }, orderBy: { address: "asc" }, select: { id: true, address: true } });
  const other = await lib.db().tenant.create({ data: { name: "Other", cloud: "global", directoryId: "other.example.com", senders: { create: [{ address: "other@other.example.com" }] } }, select: { senders: { select: { id: true } } } });
  otherTenantMailbox = other.senders[0]!.id;
});
afterAll(async () => env?.close());

const base = () => ({ tenantId: env.tenantId, name: `Scanner ${Math.random().toString(36).slice(2, 8)}`, mailboxIds: [mailboxes[0]!.id, mailboxes[1]!.id], allowedIps: "10.0.20.0/24" });

describe("SMTP devices (lib/devices)", () => {
  it("creates a device with its grants, a generated username and a password stored only as a hash, audited", async () => {
    const d = await lib.createDevice(people.admin, { ...base(), defaultMailboxId: mailboxes[1]!.id, fromPolicy: "rewrite", ratePerMinute: "12", saveToSent: "on" });
    expect(d.username).toMatch(/^dev-scanner-[a-z0-9]+-[a-z0-9]{6}$/);
    expect(d.password).toMatch(/^[A-Za-z0-9]{24}$/);
    const row = await lib.db().device.findUniqueOrThrow({ where: { id: d.id }, omit: { passwordHash: false }, include: { grants: { include: { mailbox: true } } } });
    expect(row.passwordHash).toBe(lib.hashDevicePassword(d.password!));
    expect(row).toMatchObject({ defaultFrom: mailboxes[1]!.address, fromPolicy: "rewrite", allowedIps: ["10.0.20.0/24"], ratePerMinute: 12, saveToSent: true });
    expect(row.grants.map((g) => g.mailbox.address).sort()).toEqual([mailboxes[0]!.address, mailboxes[1]!.address].sort());
    const audit = await lib.db().auditEvent.findFirstOrThrow({ where: { action: "device.created", target: row.name } });
    expect(JSON.stringify(audit.after)).not.toContain(d.password!);
    // Views never carry the hash.
    const view = await lib.deviceView(people.auditor, d.id);
    expect(JSON.stringify(view)).not.toContain(row.passwordHash!);
    expect((await lib.listDevices(people.auditor)).map((x) => x.id)).toContain(d.id);
  });

  it("names the field of every broken rule", async () => {
    const refused = (raw: Record<string, unknown>) => lib.createDevice(people.admin, raw).then(() => ({}), (e: { fields?: Record<string, string> }) => e.fields ?? {});
    expect(await refused({ ...base(), allowedIps: "10.0.0.0/33 ok 192.168.1.1" })).toEqual({ allowedIps: expect.stringMatching(/10\.0\.0\.0\/33, ok/) });
    expect(await refused({ ...base(), defaultMailboxId: mailboxes[2]!.id })).toEqual({ defaultMailboxId: expect.stringMatching(/must be one of the mailboxes granted/) });
    expect(await refused({ ...base(), fromPolicy: "rewrite" })).toEqual({ defaultMailboxId: expect.stringMatching(/Choose a default mailbox/) });
    expect(await refused({ ...base(), allowedIps: "", ipOnly: "on" })).toEqual({ allowedIps: expect.stringMatching(/IP-only/) });
    expect(await refused({ ...base(), allowedIps: "", allowPlaintext: "on" })).toEqual({ allowedIps: expect.stringMatching(/Plain-text AUTH/) });
    expect(await refused({ ...base(), mailboxIds: [] })).toEqual({ mailboxIds: expect.stringMatching(/at least one mailbox/) });
    expect(await refused({ ...base(), name: "a\r\nb" })).toEqual({ name: expect.stringMatching(/one line/) });
    expect(await refused({ ...base(), ratePerMinute: "0" })).toEqual({ ratePerMinute: expect.stringMatching(/At least 1/) });
    // Another tenant's mailbox: refused, nothing written.
    const before = await lib.db().device.count();
    expect(await refused({ ...base(), mailboxIds: [mailboxes[0]!.id, otherTenantMailbox] })).toEqual({ mailboxIds: expect.stringMatching(/not a sender mailbox of this device's tenant/) });
    expect(await lib.db().device.count()).toBe(before);
  });

  it("keeps hostile names as they were typed (rendered as text by the pages)", async () => {
    const name = `<script>alert("x")</script> 'Scan' & "Copy"`;
    const d = await lib.createDevice(people.admin, { ...base(), name });
    expect((await lib.deviceView(people.admin, d.id)).name).toBe(name);
    expect(d.username).toMatch(/^dev-script-alert-x-scri/);
  });

  it("edits settings and grants, rotates the password, switches to IP-only and back (new password once), revokes", async () => {
    const d = await lib.createDevice(people.admin, base());
    await lib.updateDevice(people.admin, { deviceId: d.id, name: "Renamed", mailboxIds: [mailboxes[2]!.id], defaultMailboxId: mailboxes[2]!.id, allowedIps: "192.168.1.20" });
    const row = await lib.db().device.findUniqueOrThrow({ where: { id: d.id }, omit: { passwordHash: false }, include: { grants: { include: { mailbox: true } } } });
    expect(row).toMatchObject({ name: "Renamed", defaultFrom: mailboxes[2]!.address, allowedIps: ["192.168.1.20/32"] });
    expect(row.grants.map((g) => g.mailbox.address)).toEqual([mailboxes[2]!.address]);

    const rotated = await lib.rotateDevicePassword(people.admin, { deviceId: d.id });
    expect(rotated.password).not.toBe(d.password);
    expect((await lib.db().device.findUniqueOrThrow({ where: { id: d.id }, omit: { passwordHash: false } })).passwordHash).toBe(lib.hashDevicePassword(rotated.password));

    expect(await lib.updateDevice(people.admin, { deviceId: d.id, name: "Renamed", mailboxIds: [mailboxes[2]!.id], allowedIps: "192.168.1.20", ipOnly: "on" })).toEqual({ password: null });
    expect((await lib.db().device.findUniqueOrThrow({ where: { id: d.id }, omit: { passwordHash: false } })).passwordHash).toBeNull();
    await expect(lib.rotateDevicePassword(people.admin, { deviceId: d.id })).rejects.toMatchObject({ code: "DEVICE_IP_ONLY" });
    const back = await lib.updateDevice(people.admin, { deviceId: d.id, name: "Renamed", mailboxIds: [mailboxes[2]!.id], allowedIps: "192.168.1.20" });
    expect(back.password).toMatch(/^[A-Za-z0-9]{24}$/);

    await lib.revokeDevice(people.admin, { deviceId: d.id });
    const revoked = await lib.db().device.findUniqueOrThrow({ where: { id: d.id }, omit: { passwordHash: false } });
    expect(revoked.revokedAt).not.toBeNull();
    expect(revoked.passwordHash).toBeNull();
    await expect(lib.rotateDevicePassword(people.admin, { deviceId: d.id })).rejects.toMatchObject({ code: "DEVICE_REVOKED" });
    await expect(lib.updateDevice(people.admin, { deviceId: d.id, name: "x", mailboxIds: [mailboxes[2]!.id], allowedIps: "" })).rejects.toMatchObject({ code: "DEVICE_REVOKED" });
    const actions = (await lib.db().auditEvent.findMany({ where: { OR: [{ target: "Renamed" }, { target: row.name }], action: { startsWith: "device." } }, orderBy: { at: "asc" } })).map((a) => a.action);
    expect(actions).toEqual(["device.updated", "device.password-rotated", "device.updated", "device.updated", "device.revoked"]);
  });

  it("checks the role in every operation: auditors read, senders nothing, only admins change", async () => {
    const d = await lib.createDevice(people.admin, base());
    for (const who of [people.auditor, people.sender]) {
      await expect(lib.createDevice(who, base())).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(lib.updateDevice(who, { deviceId: d.id, ...base() })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(lib.rotateDevicePassword(who, { deviceId: d.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(lib.revokeDevice(who, { deviceId: d.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(lib.testSendDevice(who, { deviceId: d.id, password: d.password, to: "x@example.com" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    await expect(lib.listDevices(people.sender)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(lib.deviceView(people.sender, d.id)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(lib.deviceView(people.auditor, d.id)).resolves.toMatchObject({ id: d.id });
  });

  it("a test send without a relay listening says the relay is not reachable, and keeps the password out of the audit trail", async () => {
    const d = await lib.createDevice(people.admin, base());
    await expect(lib.testSendDevice(people.admin, { deviceId: d.id, password: "", to: "x@example.com" })).rejects.toMatchObject({ fields: { password: expect.stringMatching(/Paste the device's password/) } });
    const r = await lib.testSendDevice(people.admin, { deviceId: d.id, password: d.password, to: "x@example.com" });
    expect(r).toMatchObject({ accepted: false, reply: expect.stringMatching(/not reachable at 127\.0\.0\.1:1/) });
    const audit = await lib.db().auditEvent.findFirstOrThrow({ where: { action: "device.test-sent" }, orderBy: { at: "desc" } });
    expect(JSON.stringify(audit)).not.toContain(d.password!);
  });

  it("History filters by device (id, username or name), within the viewer's scope", async () => {
    const d = await lib.createDevice(people.admin, base());
    const other = await lib.createDevice(people.admin, base());
    const send = (deviceId: string, subject: string) =>
      lib.db().send.create({ data: { tenantId: env.tenantId, mode: "smtp", status: "accepted", deviceId, fromAddress: mailboxes[0]!.address, toAddresses: ["a@example.com"], recipientCount: 1, subject, body: "x" }, select: { id: true } });
    const mine = await send(d.id, "from the device");
    await send(other.id, "from the other device");
    const { Prisma } = await import("@/generated/prisma/client");
    const ids = async (device: string, who: typeof people.admin | typeof people.sender = people.admin) =>
      (await lib.db().$queryRaw<{ id: string }[]>(Prisma.sql`SELECT s.id FROM "Send" s WHERE ${lib.filterSql(who, { device })}`)).map((r) => r.id);
    expect(await ids(d.id)).toEqual([mine.id]);
    expect(await ids(d.username)).toEqual([mine.id]);
    expect(await ids("no such device")).toEqual([]);
    // A sender sees only their own sends: none of a device's.
    expect(await ids(d.id, people.sender)).toEqual([]);
    expect((await lib.deviceView(people.admin, d.id)).recentSends.map((s) => s.id)).toEqual([mine.id]);
  });
});
