/**
 * Exchange recipient resolution: an SMTP address (or UPN, or object id) → the recipient it names.
 * Exchange matches addresses case-insensitively against the primary SMTP address and every smtp:
 * proxy address; Graph's /users/{id|userPrincipalName} also accepts the UPN and the object id.
 */
import type { Group, Guid, Mailbox, Store, User } from "../model";

/** Exchange's RecipientTypeDetails values for what the sandbox models (exchange/recipients/recipients). */
export type RecipientTypeDetails =
  | "UserMailbox"
  | "SharedMailbox"
  | "RoomMailbox"
  | "EquipmentMailbox"
  | "MailUser"
  | "User"
  | "MailUniversalSecurityGroup"
  | "UniversalSecurityGroup"
  | "MailUniversalDistributionGroup"
  | "GroupMailbox"
  | "DynamicDistributionGroup";

export type Recipient =
  | { type: "mailbox"; id: Guid; user: User; mailbox: Mailbox; details: RecipientTypeDetails }
  | { type: "user"; id: Guid; user: User; details: "MailUser" | "User" }
  | { type: "group"; id: Guid; group: Group; details: RecipientTypeDetails };

const MAILBOX_DETAILS: Record<Mailbox["kind"], RecipientTypeDetails> = {
  user: "UserMailbox",
  shared: "SharedMailbox",
  room: "RoomMailbox",
  equipment: "EquipmentMailbox",
};

const GROUP_DETAILS: Record<Group["kind"], RecipientTypeDetails> = {
  mailEnabledSecurity: "MailUniversalSecurityGroup",
  security: "UniversalSecurityGroup",
  distribution: "MailUniversalDistributionGroup",
  microsoft365: "GroupMailbox",
  dynamicDistribution: "DynamicDistributionGroup",
};

export const norm = (s: string) => s.trim().toLowerCase();

/** Strips an "smtp:"/"SMTP:" prefix as Exchange shows proxy addresses. */
const bare = (s: string) => norm(s).replace(/^smtp:/, "");

export function recipientOf(store: Store, objectId: Guid): Recipient | undefined {
  const user = store.users.get(objectId);
  if (user) {
    const mailbox = store.mailboxes.get(objectId);
    if (mailbox) return { type: "mailbox", id: user.id, user, mailbox, details: MAILBOX_DETAILS[mailbox.kind] };
    return { type: "user", id: user.id, user, details: user.mail ? "MailUser" : "User" };
  }
  const group = store.groups.get(objectId);
  if (group) return { type: "group", id: group.id, group, details: GROUP_DETAILS[group.kind] };
  return undefined;
}

/** All addresses a recipient answers to (lower case). */
export function addressesOf(r: Recipient): string[] {
  if (r.type === "mailbox") return [r.mailbox.primarySmtpAddress, ...r.mailbox.proxyAddresses, r.user.userPrincipalName].map(bare);
  if (r.type === "user") return [r.user.mail ?? "", r.user.userPrincipalName].filter(Boolean).map(bare);
  return r.group.mail ? [bare(r.group.mail)] : [];
}

/**
 * Resolves an address, UPN, object id or (for groups) display name inside one tenant.
 * Exchange resolves only mail-enabled objects by address; a plain security group has no address.
 */
export function resolveRecipient(store: Store, tenantId: Guid, identity: string): Recipient | undefined {
  const key = bare(identity);
  if (!key) return undefined;
  const byId = recipientOf(store, key) ?? recipientOf(store, identity.trim());
  if (byId && tenantOf(byId) === tenantId) return byId;
  for (const mb of store.mailboxes.values()) {
    if (mb.tenantId !== tenantId) continue;
    if (bare(mb.primarySmtpAddress) === key || mb.proxyAddresses.some((p) => bare(p) === key)) return recipientOf(store, mb.userId);
  }
  for (const u of store.users.values()) {
    if (u.tenantId !== tenantId) continue;
    if (norm(u.userPrincipalName) === key || (u.mail && norm(u.mail) === key)) return recipientOf(store, u.id);
  }
  for (const g of store.groups.values()) {
    if (g.tenantId !== tenantId) continue;
    if ((g.mail && norm(g.mail) === key) || norm(g.displayName) === key) return recipientOf(store, g.id);
  }
  return undefined;
}

export function tenantOf(r: Recipient): Guid {
  return r.type === "group" ? r.group.tenantId : r.user.tenantId;
}

export function displayNameOf(r: Recipient): string {
  return r.type === "group" ? r.group.displayName : r.user.displayName;
}

export function primaryAddressOf(r: Recipient): string | undefined {
  if (r.type === "mailbox") return r.mailbox.primarySmtpAddress;
  if (r.type === "user") return r.user.mail;
  return r.group.mail;
}

/** Is objectId a member of groupId, directly or through nested groups? Cycle-safe. */
export function isMemberOf(store: Store, objectId: Guid, groupId: Guid, seen = new Set<Guid>()): boolean {
  if (seen.has(groupId)) return false;
  seen.add(groupId);
  const g = store.groups.get(groupId);
  if (!g) return false;
  for (const m of g.members) {
    if (m === objectId) return true;
    if (store.groups.has(m) && isMemberOf(store, objectId, m, seen)) return true;
  }
  return false;
}

/** Every group objectId belongs to, directly or through nesting. */
export function groupsOf(store: Store, objectId: Guid): Group[] {
  return [...store.groups.values()].filter((g) => isMemberOf(store, objectId, g.id));
}

/** Mailboxes a group delivers to (nested groups expanded, each mailbox once). Cycle-safe. */
export function expandGroup(store: Store, groupId: Guid, seen = new Set<Guid>()): Recipient[] {
  if (seen.has(groupId)) return [];
  seen.add(groupId);
  const out: Recipient[] = [];
  for (const m of store.groups.get(groupId)?.members ?? []) {
    if (store.groups.has(m)) out.push(...expandGroup(store, m, seen));
    else {
      const r = recipientOf(store, m);
      if (r && r.type !== "group" && !seen.has(r.id)) {
        seen.add(r.id);
        out.push(r);
      }
    }
  }
  return out;
}
