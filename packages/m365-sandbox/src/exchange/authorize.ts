/**
 * May this token act on this mailbox? Combines the Entra grant (token roles), application access
 * policies and RBAC for Applications the way Exchange Online does (GRAPH-FACTS §7,
 * exchange/permissions-exo/application-rbac): the two grant paths ADD UP —
 *   allowed = (Entra grant AND the access policies allow the mailbox) OR (an RBAC assignment in scope).
 * So an RBAC scope restricts nothing while the tenant-wide Entra consent for the permission is
 * still there; scoping with RBAC works only after that consent is removed.
 * Delegated tokens act only on the signed-in user's own mailbox (SendAs/FullAccess not modelled).
 */
import type { Guid, Store, TokenClaims } from "../model";
import { evaluateAccessPolicies, type PolicyDecision } from "./access-policy";
import { evaluateRbac, type RbacDecision } from "./rbac";

export const ACCESS_DENIED = "Access is denied. Check credentials and try again.";
/**
 * Graph answers a policy/RBAC denial with "Access to OData is disabled."; real responses carry the
 * longer observed form below (seen in public issue threads), which the sandbox uses.
 */
export const ODATA_DISABLED = "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.";

export type AccessDecision =
  | { ok: true; via: "entra" | "rbac" | "delegated" }
  | { ok: false; status: 403; code: "ErrorAccessDenied"; message: string; reason: "NoPermission" | "Policy" | "RbacScope" | "NotOwnMailbox" };

export interface AppAccessInput {
  entraGranted: boolean;
  policy: PolicyDecision;
  rbac: RbacDecision;
}

/** The pure decision table (tested row by row in sandbox/test/exchange-policy.test.ts). */
export function decideAppAccess(i: AppAccessInput): AccessDecision {
  if (!i.entraGranted && !i.rbac.assigned) return { ok: false, status: 403, code: "ErrorAccessDenied", message: ACCESS_DENIED, reason: "NoPermission" };
  if (i.entraGranted && i.policy.accessCheckResult === "Granted") return { ok: true, via: "entra" };
  if (i.rbac.inScope) return { ok: true, via: "rbac" };
  // Only RBAC grants the permission, and not for this mailbox. Microsoft publishes no sample of this
  // refusal: its status and code (403 ErrorAccessDenied) are what Graph answers for a missing permission,
  // its text is UNCONFIRMED — the sandbox answers Graph's generic "Access is denied…" rather than the
  // access policy's "Access to OData is disabled", so a client that waits for that one text fails here as
  // it could in a real tenant (exchange/permissions-exo/application-rbac; sandbox README "unconfirmed").
  if (!i.entraGranted) return { ok: false, status: 403, code: "ErrorAccessDenied", message: ACCESS_DENIED, reason: "RbacScope" };
  return { ok: false, status: 403, code: "ErrorAccessDenied", message: ODATA_DISABLED, reason: "Policy" };
}

/** Application permissions that include another one's rights (graph/permissions-reference). */
const IMPLIED_BY: Record<string, string[]> = { "Mail.Read": ["Mail.ReadWrite"] };

export function rolesGrant(roles: string[] | undefined, permission: string): boolean {
  return [permission, ...(IMPLIED_BY[permission] ?? [])].some((p) => (roles ?? []).includes(p));
}

/** Does the token carry the permission at all (either grant path)? Checked before the mailbox is looked up. */
export function holdsPermission(store: Store, claims: TokenClaims, permission: string, delegatedScopes: string[] = [permission]): boolean {
  if (claims.idtyp === "user") {
    const scp = (claims.scp ?? "").split(" ").filter(Boolean);
    return delegatedScopes.some((s) => scp.includes(s));
  }
  if (rolesGrant(claims.roles, permission)) return true;
  return [permission, ...(IMPLIED_BY[permission] ?? [])].some((p) => evaluateRbac(store, claims.tid, claims.appid, "", p).assigned);
}

export function authorizeMailbox(store: Store, claims: TokenClaims, mailboxId: Guid, permission: string): AccessDecision {
  if (claims.idtyp === "user") {
    if (claims.oid === mailboxId) return { ok: true, via: "delegated" };
    return { ok: false, status: 403, code: "ErrorAccessDenied", message: ACCESS_DENIED, reason: "NotOwnMailbox" };
  }
  return decideAppAccess({
    entraGranted: rolesGrant(claims.roles, permission),
    policy: evaluateAccessPolicies(store, claims.tid, claims.appid, mailboxId),
    rbac: evaluateRbac(store, claims.tid, claims.appid, mailboxId, permission),
  });
}
