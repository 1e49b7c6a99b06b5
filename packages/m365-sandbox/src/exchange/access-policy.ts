/**
 * Application access policies (New-/Test-ApplicationAccessPolicy), evaluated the way Exchange
 * Online documents it (exchange/permissions-exo/application-rbac, "Limiting application permissions
 * to specific Exchange mailboxes"; GRAPH-FACTS §7):
 *   1. a DenyAccess policy whose scope contains the mailbox denies (Deny beats Restrict);
 *   2. a RestrictAccess policy whose scope contains the mailbox grants;
 *   3. an app that has any RestrictAccess policy is denied every other mailbox;
 *   4. otherwise access is granted.
 * "Contains" = the scope is the mailbox itself or a mail-enabled security group the mailbox belongs
 * to, directly or through nested groups. Policies limit only what Entra granted to the app (app-only
 * tokens); delegated access is never affected.
 */
import type { ApplicationAccessPolicy, Guid, Store } from "../model";
import { isMemberOf, resolveRecipient, type Recipient } from "./recipients";

export type AccessCheckResult = "Granted" | "Denied";

export interface PolicyDecision {
  accessCheckResult: AccessCheckResult;
  /** Which rule decided, for Test-ApplicationAccessPolicy output and the inbox view. */
  reason: "NoPolicy" | "DenyMatch" | "RestrictMatch" | "RestrictNoMatch" | "DenyNoMatch";
  policy?: ApplicationAccessPolicy;
}

export function policyScopeContains(store: Store, policy: ApplicationAccessPolicy, mailboxId: Guid): boolean {
  return policy.scopeId === mailboxId || isMemberOf(store, mailboxId, policy.scopeId);
}

export function evaluateAccessPolicies(store: Store, tenantId: Guid, appId: Guid, mailboxId: Guid): PolicyDecision {
  // AppId "*" is a policy for every application (New-ApplicationAccessPolicy -AppId: "you can specify * to indicate all applications").
  const mine = store.accessPolicies.filter((p) => p.tenantId === tenantId && (p.appId === "*" || p.appId.toLowerCase() === appId.toLowerCase()));
  if (mine.length === 0) return { accessCheckResult: "Granted", reason: "NoPolicy" };
  const deny = mine.find((p) => p.accessRight === "DenyAccess" && policyScopeContains(store, p, mailboxId));
  if (deny) return { accessCheckResult: "Denied", reason: "DenyMatch", policy: deny };
  const restrict = mine.filter((p) => p.accessRight === "RestrictAccess");
  const match = restrict.find((p) => policyScopeContains(store, p, mailboxId));
  if (match) return { accessCheckResult: "Granted", reason: "RestrictMatch", policy: match };
  if (restrict.length > 0) return { accessCheckResult: "Denied", reason: "RestrictNoMatch" };
  return { accessCheckResult: "Granted", reason: "DenyNoMatch" };
}

export type ScopeCheck = { ok: true; recipient: Recipient; scopeId: Guid; scopeName: string } | { ok: false; error: string };

/**
 * PolicyScopeGroupId validity for New-/Set-ApplicationAccessPolicy: a user mailbox, a mail user or a
 * mail-enabled security group (Microsoft: "security principal"). Shared/resource mailboxes,
 * distribution groups, dynamic DGs, Microsoft 365 groups and contacts are refused.
 * The error texts are the sandbox's own wording (Exchange's exact messages are unconfirmed).
 */
export function validatePolicyScope(store: Store, tenantId: Guid, identity: string): ScopeCheck {
  const r = resolveRecipient(store, tenantId, identity);
  if (!r) return { ok: false, error: `The operation couldn't be performed because object '${identity}' couldn't be found.` };
  const name = r.type === "group" ? (r.group.mail ?? r.group.displayName) : r.type === "mailbox" ? r.mailbox.primarySmtpAddress : (r.user.mail ?? r.user.userPrincipalName);
  const allowed = r.details === "UserMailbox" || r.details === "MailUser" || r.details === "MailUniversalSecurityGroup";
  if (!allowed) {
    const hint = r.details === "SharedMailbox" || r.details === "RoomMailbox" || r.details === "EquipmentMailbox"
      ? " Add the mailbox to a mail-enabled security group and use the group as the scope."
      : "";
    return {
      ok: false,
      error: `'${identity}' is a ${r.details}. PolicyScopeGroupId must be a user mailbox, a mail user or a mail-enabled security group.${hint}`,
    };
  }
  return { ok: true, recipient: r, scopeId: r.id, scopeName: name };
}
