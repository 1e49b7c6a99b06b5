/**
 * The Graph permissions the wizard requests, from what the tenant will be used for
 * (shared/GRAPH-FACTS.md §6). Pure: shared by the generators, the verify step and the tests.
 */
export const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

export const PERMISSION_IDS = {
  "Mail.Send:Role": "b633e1c5-b582-4048-a93e-9f11b44c7e96",
  "Mail.Send:Scope": "e383f46e-2787-4529-855e-0e479a3ffac0",
  "Mail.ReadWrite:Role": "e2a3a72e-5f79-4c64-b1b1-878b674786c9",
  "User.Read.All:Role": "df021288-bdef-4463-88db-98f22de89214",
  // learn.microsoft.com/graph/permissions-reference (also graphpermissions.merill.net/permission/ExchangeMessageTrace.Read.All).
  "ExchangeMessageTrace.Read.All:Role": "89b20d8a-76e2-4057-867b-9961f800b9a4",
  "Mail.ReadWrite:Scope": "024d486e-b451-40bb-833d-3e66d98c5c73",
  "User.Read:Scope": "e1fe6dd8-ba31-4d61-89e7-88639da4683d",
  "openid:Scope": "37f7f235-527c-4136-accd-4a02d197296e",
  "profile:Scope": "14dad69e-099b-42c9-810b-d002981feec1",
  "email:Scope": "64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0",
  "offline_access:Scope": "7427e0e9-2fba-42fe-b0c0-848c9e6a8182",
} as const;

export interface Usage {
  useApplication: boolean;
  useDelegated: boolean;
  largeAttachments: boolean;
  /** Bulk "welcome new users" runs list the directory's new users (GET /users): User.Read.All. */
  bulkDirectory?: boolean;
  /** Delivery status beyond 202: the trace job reads Exchange message trace (ExchangeMessageTrace.Read.All). */
  messageTrace?: boolean;
}

export interface Permission {
  name: string;
  type: "Role" | "Scope";
  id: string;
  /** Why the portal asks for it (shown in the wizard and written as a script comment). */
  why: string;
}

export function requiredPermissions(u: Usage): Permission[] {
  const out: Permission[] = [];
  const p = (name: string, type: "Role" | "Scope", why: string) =>
    out.push({ name, type, id: PERMISSION_IDS[`${name}:${type}` as keyof typeof PERMISSION_IDS], why });
  if (u.useApplication) {
    p("Mail.Send", "Role", "application sending as the mailboxes you restrict it to (scripts, shared mailboxes)");
    if (u.largeAttachments) {
      p("Mail.ReadWrite", "Role", "attachments of 3 MB and more go through a draft and an upload session, which need Mail.ReadWrite; without it the portal sends up to 3 MB only");
    }
    // learn.microsoft.com/graph/api/user-list: listing users needs User.Read.All (application); asked for only when welcome runs are on.
    // learn.microsoft.com/graph/api/messagetracingroot-list-messagetraces: application ExchangeMessageTrace.Read.All; optional.
    if (u.messageTrace) p("ExchangeMessageTrace.Read.All", "Role", "delivery status: History shows whether each recipient got the message (Delivered, Failed, Quarantined, Filtered as spam) by reading Exchange message trace; without it History ends at Accepted");
    if (u.bulkDirectory) p("User.Read.All", "Role", "bulk welcome runs list the users created since a date (GET /users?$filter=createdDateTime ge …); without it bulk runs take their recipients from a CSV only");
  }
  if (u.useDelegated) {
    p("Mail.Send", "Scope", "signed-in people send as themselves");
    if (u.largeAttachments) {
      p("Mail.ReadWrite", "Scope", "a signed-in person's attachments of 3 MB and more go through a draft in their mailbox and an upload session, which need Mail.ReadWrite");
    }
    p("User.Read", "Scope", "sign-in: read the signed-in person's profile");
    p("openid", "Scope", "sign-in: an ID token");
    p("profile", "Scope", "sign-in: the person's name");
    p("email", "Scope", "sign-in: the person's email address");
    p("offline_access", "Scope", "a refresh token, so sending keeps working without signing in again every hour");
  }
  return out;
}

export const appRoles = (u: Usage) => requiredPermissions(u).filter((x) => x.type === "Role");
export const delegatedScopes = (u: Usage) => requiredPermissions(u).filter((x) => x.type === "Scope");
