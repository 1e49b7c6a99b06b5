/**
 * Which mailbox a /users/{id|userPrincipalName}/… or /me/… mail request acts on, and may the caller?
 * Order of checks, as Graph answers them:
 *   1. /me with an app-only token → 400 BadRequest "/me request is only valid with delegated authentication
 *      flow." (observed: microsoftgraph/msgraph-sdk-php issue 1163, microsoft-graph-docs-contrib issue 9002)
 *   2. the token holds the permission at all (Entra role/scope, or an RBAC assignment) → 403 ErrorAccessDenied
 *   3. the user exists (id, UPN, or an SMTP address Exchange knows) → 404 ErrorInvalidUser
 *   4. it has a REST-enabled mailbox → 404 MailboxNotEnabledForRESTAPI (status unconfirmed; observed code)
 *   5. access policies / RBAC scope / own mailbox for delegated → 403 ErrorAccessDenied
 *   6. at most 4 concurrent requests per app and mailbox → 429 ApplicationThrottled (graph/throttling-limits)
 */
import { authorizeMailbox, holdsPermission, ACCESS_DENIED } from "../exchange/authorize";
import { resolveRecipient } from "../exchange/recipients";
import { acquireSlot, CONCURRENCY_RETRY_AFTER_SECONDS } from "../exchange/throttling";
import type { Mailbox, User } from "../model";
import { GraphHttpError, type GraphCall } from "./pipeline";

export interface MailboxTarget {
  user: User;
  mailbox: Mailbox;
  /** Frees the concurrency slot; call in finally. */
  release: () => void;
}

/** Delegated scopes that carry each application permission's rights (graph/permissions-reference). */
const DELEGATED_EQUIVALENTS: Record<string, string[]> = {
  "Mail.Send": ["Mail.Send", "Mail.Send.Shared"],
  "Mail.ReadWrite": ["Mail.ReadWrite", "Mail.ReadWrite.Shared"],
  "Mail.Read": ["Mail.Read", "Mail.ReadWrite", "Mail.Read.Shared", "Mail.ReadWrite.Shared"],
};

/** /me with an app-only token (observed: msgraph-sdk-php issue 1163, microsoft-graph-docs-contrib issue 9002). */
export const ME_APP_ONLY = () => new GraphHttpError(400, "BadRequest", "/me request is only valid with delegated authentication flow.");

export function findUser(g: GraphCall, idOrUpn: string): User | undefined {
  const { store } = g.ctx;
  const direct = store.users.get(idOrUpn);
  if (direct && direct.tenantId === g.claims.tid) return direct;
  const r = resolveRecipient(store, g.claims.tid, idOrUpn);
  return r && r.type !== "group" ? r.user : undefined;
}

export async function mailboxTarget(g: GraphCall, userParam: string | "me", permission: string): Promise<MailboxTarget> {
  const { store } = g.ctx;
  if (userParam === "me" && g.claims.idtyp === "app") throw ME_APP_ONLY();
  if (!holdsPermission(store, g.claims, permission, DELEGATED_EQUIVALENTS[permission] ?? [permission])) {
    throw new GraphHttpError(403, "ErrorAccessDenied", ACCESS_DENIED);
  }
  let user: User | undefined;
  if (userParam === "me") {
    user = store.users.get(g.claims.oid);
    if (!user) throw new GraphHttpError(404, "ErrorInvalidUser", `The requested user '${g.claims.upn ?? g.claims.oid}' is invalid.`);
  } else {
    user = findUser(g, userParam);
    if (!user) throw new GraphHttpError(404, "ErrorInvalidUser", `The requested user '${userParam}' is invalid.`);
  }
  const mailbox = store.mailboxes.get(user.id);
  if (!mailbox || !mailbox.restEnabled) {
    throw new GraphHttpError(404, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise.");
  }
  const decision = authorizeMailbox(store, g.claims, user.id, permission);
  if (!decision.ok) throw new GraphHttpError(decision.status, decision.code, decision.message);
  const release = acquireSlot(store, g.claims.appid, user.id);
  if (!release) {
    throw new GraphHttpError(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.", {
      "retry-after": String(CONCURRENCY_RETRY_AFTER_SECONDS),
    });
  }
  return { user, mailbox, release };
}
