import "server-only";
import type { Role, SendMode } from "@/generated/prisma/enums";
import { db } from "../db";

/**
 * The one place that answers "may X send as Y?", asked when a send is queued (lib/sends/queue-send.ts)
 * and again when the outbox claims it (lib/outbox/process-send.ts), so a grant revoked, a person
 * disabled or demoted, or a mailbox removed in between stops the send.
 *
 * Exchange restricts the app to some mailboxes; the portal restricts principals among them. A person
 * may send as a mailbox when it is one of the tenant's sender mailboxes and a grant names them or a
 * portal group they belong to; admins are not implicitly granted anything. Delegated sending is always
 * the person's own Microsoft identity. The wizard's restriction proof (`test`) is the one deliberate
 * exception: an admin may *attempt* any address, to see Exchange answer 403.
 */
export const SENDING_ROLES: readonly Role[] = ["admin", "sender"];

export interface Sender {
  id: string;
  email: string;
  role: Role;
  disabled: boolean;
  tenantId: string | null;
}

export type RefusalCode =
  | "ACTOR_INACTIVE"
  | "ROLE_CANNOT_SEND"
  | "TEST_NOT_ADMIN"
  | "TENANT_NOT_READY"
  | "APP_SENDING_OFF"
  | "DELEGATED_OFF"
  | "DELEGATED_OTHER_TENANT"
  | "DELEGATED_NOT_SELF"
  | "MAILBOX_NOT_LISTED"
  | "MAILBOX_NOT_PROVED"
  | "NOT_GRANTED"
  | "KEY_INACTIVE"
  | "KEY_OTHER_TENANT"
  | "DEVICE_INACTIVE"
  | "DEVICE_OTHER_TENANT";

export interface Refusal {
  code: RefusalCode;
  /** The form field the refusal belongs to. */
  field: "from" | "mode" | "tenantId" | "actor";
  /** Said when the send is being queued. */
  message: string;
  /** Said on a send refused at claim time: what changed after it was queued. */
  changed: string;
}

/** An API key as maySend needs it, read fresh from the database (loadKeyPrincipal). */
export interface KeyPrincipal {
  id: string;
  name: string;
  tenantId: string;
  revokedAt: Date | null;
  expiresAt: Date | null;
}

/** An SMTP device (mode "smtp", lib/smtp) as maySend needs it, read fresh from the database (loadDevicePrincipal). */
export interface DevicePrincipal {
  id: string;
  name: string;
  tenantId: string;
  revokedAt: Date | null;
}

export interface SendQuestion {
  /** The person who sends; for mode "api" the principal is `apiKey` instead, for mode "smtp" `device`. */
  actor: Sender | null;
  apiKey?: KeyPrincipal | null;
  device?: DevicePrincipal | null;
  tenant: { id: string; name: string; clientId: string | null; useApplication: boolean; useDelegated: boolean };
  mode: SendMode;
  from: string;
  test?: boolean;
}

type Tx = Pick<ReturnType<typeof db>, "senderGrant" | "senderMailbox">;

const refuse = (code: RefusalCode, field: Refusal["field"], message: string, changed: string): Refusal => ({ code, field, message, changed });

/** Whether this person may send at all (active, a sending role; admins only for the restriction test). */
export function actorRefusal(actor: Sender | null, test = false): Refusal | null {
  if (!actor || actor.disabled) return refuse("ACTOR_INACTIVE", "actor", "Your portal account is disabled.", "The person who queued this mail was disabled or removed after it was queued.");
  if (!SENDING_ROLES.includes(actor.role)) {
    return refuse("ROLE_CANNOT_SEND", "actor", `Your role (${actor.role}) does not allow sending mail.`, `The person who queued this mail became ${actor.role} after it was queued, a role that cannot send.`);
  }
  if (test && actor.role !== "admin") return refuse("TEST_NOT_ADMIN", "actor", "Only admins run the restriction test.", "The person who queued this test is no longer an admin.");
  return null;
}

/** Whether an API key may send at all: it exists, is not revoked or expired, and belongs to the tenant. */
export function keyRefusal(key: KeyPrincipal | null | undefined, tenantId: string, now = new Date()): Refusal | null {
  if (!key || key.revokedAt || (key.expiresAt && key.expiresAt <= now)) {
    return refuse("KEY_INACTIVE", "actor", "This API key is revoked or expired.", "The API key that queued this mail was revoked, expired or deleted after it was queued.");
  }
  if (key.tenantId !== tenantId) return refuse("KEY_OTHER_TENANT", "actor", "This API key belongs to another tenant.", "The API key that queued this mail belongs to another tenant.");
  return null;
}

/**
 * A mailbox the setup wizard put in a restriction that has not been proved yet ("scripted": saved, the
 * scripts generated, the Prove step not passed since) is not offered and not sent from: until Exchange is
 * shown to enforce the new restriction, the portal does not rely on it. Mailboxes added on the Senders page
 * ("unknown") are not the wizard's to hold back.
 */
export const UNPROVED_POLICY_STATUS = "scripted";

function unprovedRefusal(mailbox: { policyStatus: string }, from: string, tenantName: string): Refusal | null {
  if (mailbox.policyStatus !== UNPROVED_POLICY_STATUS) return null;
  return refuse(
    "MAILBOX_NOT_PROVED",
    "from",
    `${from} is in a restriction of "${tenantName}" that is not proved yet. An admin runs the Prove step of the tenant's setup first.`,
    `The restriction of "${tenantName}" changed after this mail was queued and is not proved yet.`,
  );
}

export async function maySend(q: SendQuestion, tx: Tx = db()): Promise<Refusal | null> {
  if (q.mode === "api") return mayKeySend(q, tx);
  if (q.mode === "smtp") return mayDeviceSend(q, tx);
  const { actor, tenant } = q;
  const from = q.from.toLowerCase();
  const notSender = actorRefusal(actor, q.test);
  if (notSender || !actor) return notSender;
  if (!tenant.clientId) return refuse("TENANT_NOT_READY", "tenantId", `Tenant "${tenant.name}" has no app registration yet: finish its setup first.`, `Tenant "${tenant.name}" lost its app registration after this mail was queued.`);

  if (q.mode === "delegated") {
    if (!tenant.useDelegated) return refuse("DELEGATED_OFF", "mode", `Tenant "${tenant.name}" does not allow sending as yourself (delegated Mail.Send).`, `Tenant "${tenant.name}" turned delegated sending off after this mail was queued.`);
    if (actor.tenantId !== tenant.id) return refuse("DELEGATED_OTHER_TENANT", "mode", "Only people who signed in with Microsoft in this tenant can send as themselves.", "The sender's Microsoft account is no longer linked to this tenant.");
    if (from !== actor.email.toLowerCase()) return refuse("DELEGATED_NOT_SELF", "from", `When you send as yourself, the sender is your own address (${actor.email}).`, "A delegated send can only come from the person's own address.");
    return null;
  }

  if (!tenant.useApplication) return refuse("APP_SENDING_OFF", "mode", `Tenant "${tenant.name}" does not use application sending. Send as yourself instead.`, `Tenant "${tenant.name}" turned application sending off after this mail was queued.`);
  if (q.test) return null;
  const mailbox = await tx.senderMailbox.findFirst({ where: { tenantId: tenant.id, address: { equals: from, mode: "insensitive" }, allowed: true }, select: { id: true, policyStatus: true } });
  if (!mailbox) {
    return refuse("MAILBOX_NOT_LISTED", "from", `${from} is not a sender mailbox of "${tenant.name}". An admin adds sender mailboxes on the Senders page.`, `${from} was removed from the sender mailboxes of "${tenant.name}" after this mail was queued.`);
  }
  const unproved = unprovedRefusal(mailbox, from, tenant.name);
  if (unproved) return unproved;
  const grant = await tx.senderGrant.findFirst({
    where: { mailboxId: mailbox.id, OR: [{ userId: actor.id }, { group: { members: { some: { userId: actor.id } } } }] },
    select: { id: true },
  });
  if (!grant) {
    return refuse("NOT_GRANTED", "from", `You may not send as ${from}: no grant names you or a group you belong to. An admin grants mailboxes on the Senders page.`, `The permission to send as ${from} was removed after this mail was queued.`);
  }
  return null;
}

/**
 * An API key (mode "api") sends like an application send, from a listed sender mailbox of its own tenant
 * that a grant names the key for. The same rules at queue time and at claim time: a key revoked or
 * expired in between, or a grant removed, stops the send.
 */
async function mayKeySend(q: SendQuestion, tx: Tx): Promise<Refusal | null> {
  const { tenant } = q;
  const from = q.from.toLowerCase();
  const notKey = keyRefusal(q.apiKey, tenant.id);
  if (notKey || !q.apiKey) return notKey;
  if (!tenant.clientId) return refuse("TENANT_NOT_READY", "tenantId", `Tenant "${tenant.name}" has no app registration yet: finish its setup first.`, `Tenant "${tenant.name}" lost its app registration after this mail was queued.`);
  if (!tenant.useApplication) return refuse("APP_SENDING_OFF", "mode", `Tenant "${tenant.name}" does not use application sending, which API keys need.`, `Tenant "${tenant.name}" turned application sending off after this mail was queued.`);
  const mailbox = await tx.senderMailbox.findFirst({ where: { tenantId: tenant.id, address: { equals: from, mode: "insensitive" }, allowed: true }, select: { id: true, policyStatus: true } });
  if (!mailbox) {
    return refuse("MAILBOX_NOT_LISTED", "from", `${from} is not a sender mailbox of "${tenant.name}".`, `${from} was removed from the sender mailboxes of "${tenant.name}" after this mail was queued.`);
  }
  const unproved = unprovedRefusal(mailbox, from, tenant.name);
  if (unproved) return unproved;
  const grant = await tx.senderGrant.findFirst({ where: { mailboxId: mailbox.id, apiKeyId: q.apiKey.id }, select: { id: true } });
  if (!grant) return refuse("NOT_GRANTED", "from", `This API key may not send as ${from}: no grant names it. An admin grants mailboxes to keys on the API keys page.`, `The API key's permission to send as ${from} was removed after this mail was queued.`);
  return null;
}

/** Whether a device may send at all: it exists, is not revoked, and belongs to the tenant. */
export function deviceRefusal(device: DevicePrincipal | null | undefined, tenantId: string): Refusal | null {
  if (!device || device.revokedAt) {
    return refuse("DEVICE_INACTIVE", "actor", "This device is revoked.", "The device that handed this mail to the relay was revoked or deleted after it was queued.");
  }
  if (device.tenantId !== tenantId) return refuse("DEVICE_OTHER_TENANT", "actor", "This device belongs to another tenant.", "The device that handed this mail to the relay belongs to another tenant.");
  return null;
}

/**
 * An SMTP device (mode "smtp", the relay in lib/smtp) sends like an application send, from a listed
 * sender mailbox of its own tenant that a grant names the device for — the same rules at queue time
 * (the relay, before it answers 250) and at claim time: a device revoked in between, or a grant or
 * mailbox removed, stops the send.
 */
async function mayDeviceSend(q: SendQuestion, tx: Tx): Promise<Refusal | null> {
  const { tenant } = q;
  const from = q.from.toLowerCase();
  const notDevice = deviceRefusal(q.device, tenant.id);
  if (notDevice || !q.device) return notDevice;
  if (!tenant.clientId) return refuse("TENANT_NOT_READY", "tenantId", `Tenant "${tenant.name}" has no app registration yet: finish its setup first.`, `Tenant "${tenant.name}" lost its app registration after this mail was queued.`);
  if (!tenant.useApplication) return refuse("APP_SENDING_OFF", "mode", `Tenant "${tenant.name}" does not use application sending, which devices need.`, `Tenant "${tenant.name}" turned application sending off after this mail was queued.`);
  const mailbox = await tx.senderMailbox.findFirst({ where: { tenantId: tenant.id, address: { equals: from, mode: "insensitive" }, allowed: true }, select: { id: true, policyStatus: true } });
  if (!mailbox) {
    return refuse("MAILBOX_NOT_LISTED", "from", `${from} is not a sender mailbox of "${tenant.name}".`, `${from} was removed from the sender mailboxes of "${tenant.name}" after this mail was queued.`);
  }
  const unproved = unprovedRefusal(mailbox, from, tenant.name);
  if (unproved) return unproved;
  const grant = await tx.senderGrant.findFirst({ where: { mailboxId: mailbox.id, deviceId: q.device.id }, select: { id: true } });
  if (!grant) return refuse("NOT_GRANTED", "from", `This device may not send as ${from}: no grant names it. An admin grants mailboxes to devices on the Devices page.`, `The device's permission to send as ${from} was removed after this mail was queued.`);
  return null;
}

/** The device of a send, as maySend needs it, read fresh from the database. */
export async function loadDevicePrincipal(deviceId: string | null): Promise<DevicePrincipal | null> {
  if (!deviceId) return null;
  return db().device.findUnique({ where: { id: deviceId }, select: { id: true, name: true, tenantId: true, revokedAt: true } });
}

/** The API key of a send, as maySend needs it, read fresh from the database. */
export async function loadKeyPrincipal(apiKeyId: string | null): Promise<KeyPrincipal | null> {
  if (!apiKeyId) return null;
  return db().apiKey.findUnique({ where: { id: apiKeyId }, select: { id: true, name: true, tenantId: true, revokedAt: true, expiresAt: true } });
}

/** The mailboxes of a tenant a person may send as (a grant to them or to one of their groups), by address. */
export async function grantedMailboxes(userId: string, tenantId?: string) {
  return db().senderMailbox.findMany({
    where: {
      allowed: true,
      policyStatus: { not: UNPROVED_POLICY_STATUS },
      ...(tenantId ? { tenantId } : {}),
      grants: { some: { OR: [{ userId }, { group: { members: { some: { userId } } } }] } },
    },
    select: { tenantId: true, address: true, kind: true, displayName: true },
    orderBy: { address: "asc" },
  });
}

/** The actor of a send, as maySend needs them, read fresh from the database. */
export async function loadSender(userId: string | null): Promise<Sender | null> {
  if (!userId) return null;
  return db().user.findUnique({ where: { id: userId }, select: { id: true, email: true, role: true, disabled: true, tenantId: true } });
}
