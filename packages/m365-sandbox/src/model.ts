/**
 * The sandbox's directory: one in-memory store shared by the Entra ID, Graph and Exchange
 * stand-ins. Entra code owns apps/consent/tokens; Graph/Exchange code owns mailboxes, groups,
 * policies, scopes, throttling and delivered mail. Nothing here is imported by the portal.
 */

export type Guid = string;

export interface Tenant {
  id: Guid;
  /** Verified domains; the first is the initial/default domain. */
  domains: string[];
  displayName: string;
}

/** A directory user. Every user may have a mailbox (see Mailbox). */
export interface User {
  id: Guid; // object id (oid)
  tenantId: Guid;
  userPrincipalName: string;
  displayName: string;
  givenName?: string;
  surname?: string;
  mail?: string;
  jobTitle?: string;
  department?: string;
  password: string; // sandbox sign-in only
  createdDateTime: string; // ISO
  accountEnabled: boolean;
}

export type MailboxKind = "user" | "shared" | "room" | "equipment";

export interface Mailbox {
  /** Same id as the owning User object (Exchange mailboxes are user objects in Entra). */
  userId: Guid;
  tenantId: Guid;
  kind: MailboxKind;
  primarySmtpAddress: string;
  /** Extra smtp: proxy addresses (aliases) that resolve to this mailbox. */
  proxyAddresses: string[];
  /** Max size of a message sent from this mailbox, bytes (Exchange default 35 MB). */
  maxSendSize: number;
  /** false → MailboxNotEnabledForRESTAPI (unlicensed / soft-deleted / on-premises). */
  restEnabled: boolean;
}

export type GroupKind = "mailEnabledSecurity" | "security" | "distribution" | "microsoft365" | "dynamicDistribution";

export interface Group {
  id: Guid;
  tenantId: Guid;
  displayName: string;
  mail?: string;
  kind: GroupKind;
  /** Member object ids: users or nested groups. */
  members: Guid[];
}

export interface AppSecret {
  keyId: Guid;
  displayName?: string;
  /** Stored as given; a sandbox has no HSM. */
  secretText: string;
  hint: string; // first 3 chars, as Entra shows
  startDateTime: string;
  endDateTime: string;
}

export interface AppCertificate {
  keyId: Guid;
  displayName?: string;
  /** PEM of the certificate. */
  pem: string;
  /** base64url SHA-1 and SHA-256 of the DER certificate (x5t / x5t#S256). */
  x5t: string;
  x5tS256: string;
  startDateTime: string;
  endDateTime: string;
}

/** requiredResourceAccess entry, as in Graph's application resource. */
export interface RequiredResourceAccess {
  resourceAppId: Guid;
  resourceAccess: { id: Guid; type: "Role" | "Scope" }[];
}

export interface AppRegistration {
  /** Application (client) id. */
  appId: Guid;
  /** Application object id (not the client id). */
  id: Guid;
  tenantId: Guid;
  displayName: string;
  signInAudience: "AzureADMyOrg" | "AzureADMultipleOrgs";
  redirectUris: string[];
  requiredResourceAccess: RequiredResourceAccess[];
  secrets: AppSecret[];
  certificates: AppCertificate[];
  createdDateTime: string;
}

/** Enterprise application (service principal) of an app in a tenant. */
export interface ServicePrincipal {
  id: Guid; // object id
  appId: Guid;
  tenantId: Guid;
  displayName: string;
}

/** Admin-consented application permission (app role assignment on the Graph SP). */
export interface AppRoleGrant {
  id: Guid;
  tenantId: Guid;
  principalId: Guid; // our SP object id
  appId: Guid;
  /** Permission value, e.g. "Mail.Send" (and its id). */
  value: string;
  appRoleId: Guid;
}

/** Delegated consent (oauth2PermissionGrant): admin for all users, or one user. */
export interface DelegatedGrant {
  id: Guid;
  tenantId: Guid;
  appId: Guid;
  consentType: "AllPrincipals" | "Principal";
  principalId?: Guid; // user id when consentType = Principal
  scopes: string[]; // e.g. ["Mail.Send", "User.Read", "offline_access", "openid", "profile"]
}

/** Exchange application access policy (New-ApplicationAccessPolicy). */
export interface ApplicationAccessPolicy {
  identity: string; // "<tenantId>\\<appId>:<guid>" like Exchange
  tenantId: Guid;
  appId: Guid;
  accessRight: "RestrictAccess" | "DenyAccess";
  /** Object id of the scope: a user/mail user or a mail-enabled security group. */
  scopeId: Guid;
  /** As typed, e.g. the group's SMTP address. */
  scopeName: string;
  description?: string;
}

/** Exchange service principal pointer (New-ServicePrincipal). */
export interface ExoServicePrincipal {
  tenantId: Guid;
  appId: Guid;
  objectId: Guid; // the Entra enterprise app object id
  displayName: string;
}

/** New-ManagementScope with a RecipientRestrictionFilter (a subset of OPATH). */
export interface ManagementScope {
  tenantId: Guid;
  name: string;
  recipientRestrictionFilter: string;
}

/** New-ManagementRoleAssignment -App … -Role "Application Mail.Send" -CustomResourceScope … */
export interface ManagementRoleAssignment {
  tenantId: Guid;
  name: string;
  appId: Guid;
  role: string; // "Application Mail.Send", …
  customResourceScope?: string; // scope name; absent = whole organisation
}

export interface DeliveredAttachment {
  name: string;
  contentType: string;
  size: number;
  sha256: string; // hex
  isInline: boolean;
  contentId?: string;
  /** base64 content (kept so the inbox can offer downloads). */
  contentBytes: string;
}

export interface DeliveredMessage {
  id: Guid;
  tenantId: Guid;
  /** Mailbox address it was delivered to (one copy per recipient). */
  mailbox: string;
  internetMessageId: string;
  receivedDateTime: string;
  from: { address: string; name?: string };
  sender: { address: string; name?: string };
  to: { address: string; name?: string }[];
  cc: { address: string; name?: string }[];
  /** Only on the copy delivered to the Bcc recipient itself. */
  bcc: { address: string; name?: string }[];
  replyTo: { address: string; name?: string }[];
  subject: string;
  body: { contentType: "text" | "html"; content: string };
  importance: "low" | "normal" | "high";
  internetMessageHeaders: { name: string; value: string }[];
  attachments: DeliveredAttachment[];
  /** Sent in MIME format: the message as received (blob store), served at {controlUrl}/messages/{id}/mime. */
  mime?: { sha256: string; size: number };
  /** How it was sent, for the inbox view: app id and whether app-only or delegated. */
  via: { appId: Guid; kind: "app" | "delegated"; route: "sendMail" | "draft" };
}

export interface Store {
  tenants: Map<Guid, Tenant>;
  users: Map<Guid, User>;
  mailboxes: Map<Guid, Mailbox>;
  groups: Map<Guid, Group>;
  apps: Map<Guid, AppRegistration>; // keyed by appId (client id)
  servicePrincipals: Map<Guid, ServicePrincipal>; // keyed by object id
  appRoleGrants: AppRoleGrant[];
  delegatedGrants: DelegatedGrant[];
  accessPolicies: ApplicationAccessPolicy[];
  exoServicePrincipals: ExoServicePrincipal[];
  managementScopes: ManagementScope[];
  roleAssignments: ManagementRoleAssignment[];
  delivered: DeliveredMessage[];
}

export function emptyStore(): Store {
  return {
    tenants: new Map(),
    users: new Map(),
    mailboxes: new Map(),
    groups: new Map(),
    apps: new Map(),
    servicePrincipals: new Map(),
    appRoleGrants: [],
    delegatedGrants: [],
    accessPolicies: [],
    exoServicePrincipals: [],
    managementScopes: [],
    roleAssignments: [],
    delivered: [],
  };
}

/** Microsoft Graph's well-known ids (shared/GRAPH-FACTS.md §6). */
export const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
export const GRAPH_PERMISSIONS = {
  "Mail.Send:Role": "b633e1c5-b582-4048-a93e-9f11b44c7e96",
  "Mail.Send:Scope": "e383f46e-2787-4529-855e-0e479a3ffac0",
  "Mail.ReadWrite:Role": "e2a3a72e-5f79-4c64-b1b1-878b674786c9",
  "Mail.ReadWrite:Scope": "024d486e-b451-40bb-833d-3e66d98c5c73",
  "User.Read:Scope": "e1fe6dd8-ba31-4d61-89e7-88639da4683d",
  "offline_access:Scope": "7427e0e9-2fba-42fe-b0c0-848c9e6a8182",
  "openid:Scope": "37f7f235-527c-4136-accd-4a02d197296e",
  "profile:Scope": "14dad69e-099b-42c9-810b-d002981feec1",
  "email:Scope": "64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0",
} as const;

/**
 * What the Graph side learns from a verified access token. Produced by the Entra side's
 * `verifyGraphToken` (sandbox/src/entra/tokens.ts) and consumed by Graph handlers.
 */
export interface TokenClaims {
  tid: Guid;
  appid: Guid;
  /** Present on app-only tokens (idtyp "app"). */
  roles?: string[];
  /** Present on delegated tokens: space-separated scopes. */
  scp?: string;
  /** App-only: the service principal object id. Delegated: the user object id. */
  oid: Guid;
  upn?: string;
  idtyp: "app" | "user";
}
