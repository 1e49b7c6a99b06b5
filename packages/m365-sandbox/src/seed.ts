/**
 * The demo tenant, after the seed article "welcome new users from a shared HR mailbox":
 * - hr-welcome@ is a SHARED mailbox the demo app sends the welcome mail from;
 * - two colleagues (Lee Gu, HR; Nestor Wilke, IT) are copied on every welcome mail;
 * - the mail-enabled security group "Graph Mail Senders" holds hr-welcome@ and adele.vance@ and
 *   scopes the demo app with an ApplicationAccessPolicy (RestrictAccess): Microsoft does not accept a
 *   shared mailbox as PolicyScopeGroupId, so it goes into a mail-enabled security group
 *   (exchange/permissions-exo/application-rbac, "Limiting application permissions to specific mailboxes");
 * - alex.wilber@ is a real user mailbox outside the group, so the policy denies it;
 * - six people joined during the last week (createdDateTime), for "GET /users?$filter=createdDateTime ge …";
 * - megan.bowen@ (admin) and adele.vance@ (normal user) can sign in with the passwords below.
 *
 * Object ids are derived from the tenant id, so they stay the same across restarts and resets
 * (the portal may have stored them). The store is cleared in place before seeding.
 */
import { createHash } from "node:crypto";
import type { DemoIdentity } from "./identity";
import { GRAPH_APP_ID, GRAPH_PERMISSIONS, type Group, type Mailbox, type MailboxKind, type Store, type User } from "./model";
import { resetMailState } from "./exchange/mail-state";

export type { DemoIdentity } from "./identity";

export interface DemoSummary {
  mailboxes: { allowed: string; outsidePolicy: string; shared: string };
  users: { upn: string; password: string; displayName: string }[];
  group: string;
}

/**
 * Application permissions beyond model.ts's list that the article's script needs to list new users
 * and read group members (graph/permissions-reference: User.Read.All, GroupMember.Read.All).
 */
export const EXTRA_APP_ROLES = {
  "User.Read.All": "df021288-bdef-4463-88db-98f22de89214",
  "GroupMember.Read.All": "98830695-27a2-44f7-8c18-0c3ebc9698f6",
  // Message trace (graph/api/messagetracingroot-list-messagetraces; id from graph/permissions-reference,
  // also listed at graphpermissions.merill.net/permission/ExchangeMessageTrace.Read.All).
  "ExchangeMessageTrace.Read.All": "89b20d8a-76e2-4057-867b-9961f800b9a4",
} as const;

/** Exchange Online's default MaxSendSize: 35 MB = 36,700,160 bytes (exchange-online-limits). */
export const DEFAULT_MAX_SEND_SIZE = 35 * 1024 * 1024;

export const DEMO_PASSWORDS = { admin: "Sandbox-Admin-1!", user: "Sandbox-User-1!" } as const;

/** A stable, well-formed GUID derived from the tenant and a key. */
export function stableGuid(tenantId: string, key: string): string {
  const h = createHash("sha256").update(`${tenantId}|${key}`).digest("hex");
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Empties the store in place (every Map and list, so a field added to Store later is covered too) and
 * its mail state (upload sessions, drafts): modules holding ctx.store keep a valid reference.
 */
export function clearStore(store: Store): void {
  for (const v of Object.values(store) as unknown[]) {
    if (v instanceof Map) v.clear();
    else if (Array.isArray(v)) v.length = 0;
  }
  resetMailState(store);
}

interface PersonSpec {
  key: string;
  given: string;
  surname: string;
  jobTitle: string;
  department: string;
  daysAgo: number;
  kind?: MailboxKind;
  password?: string;
}

const PEOPLE: PersonSpec[] = [
  { key: "megan.bowen", given: "Megan", surname: "Bowen", jobTitle: "IT Administrator", department: "IT", daysAgo: 400, password: DEMO_PASSWORDS.admin },
  { key: "adele.vance", given: "Adele", surname: "Vance", jobTitle: "HR Coordinator", department: "HR", daysAgo: 380, password: DEMO_PASSWORDS.user },
  { key: "alex.wilber", given: "Alex", surname: "Wilber", jobTitle: "Marketing Assistant", department: "Marketing", daysAgo: 350 },
  { key: "lee.gu", given: "Lee", surname: "Gu", jobTitle: "HR Manager", department: "HR", daysAgo: 500 },
  { key: "nestor.wilke", given: "Nestor", surname: "Wilke", jobTitle: "IT Onboarding Lead", department: "IT", daysAgo: 450 },
  // Joined during the last week: the people the welcome script finds.
  { key: "isaiah.langer", given: "Isaiah", surname: "Langer", jobTitle: "Sales Representative", department: "Sales", daysAgo: 1 },
  { key: "johanna.lorenz", given: "Johanna", surname: "Lorenz", jobTitle: "Senior Engineer", department: "Engineering", daysAgo: 2 },
  { key: "lidia.holloway", given: "Lidia", surname: "Holloway", jobTitle: "Product Manager", department: "Engineering", daysAgo: 3 },
  { key: "lynne.robbins", given: "Lynne", surname: "Robbins", jobTitle: "Planner", department: "Retail", daysAgo: 4 },
  { key: "miriam.graham", given: "Miriam", surname: "Graham", jobTitle: "Director", department: "Sales & Marketing", daysAgo: 5 },
  { key: "pradeep.gupta", given: "Pradeep", surname: "Gupta", jobTitle: "Accountant", department: "Finance", daysAgo: 6 },
];

/** The demo app's display name unless the caller names it (StartOptions.appDisplayName). */
export const DEFAULT_APP_NAME = "Sandbox demo app";

export function seedDemoTenant(store: Store, id: DemoIdentity, now: Date, redirectUris: string[], opts: { appDisplayName?: string } = {}): DemoSummary {
  clearStore(store);
  const t = id.tenantId;
  const domain = id.domain.toLowerCase();
  const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000 - 3_600_000).toISOString();
  store.tenants.set(t, { id: t, domains: [domain], displayName: "Contoso (sandbox)" });

  const addMailbox = (u: User, kind: MailboxKind): Mailbox => {
    const local = u.userPrincipalName.split("@")[0]!;
    const mb: Mailbox = {
      userId: u.id,
      tenantId: t,
      kind,
      primarySmtpAddress: u.mail!,
      // Every mailbox also answers to <alias>@<tenant>.onmicrosoft.com-style addresses in Exchange;
      // the sandbox gives each one alias on the same domain instead (e.g. first-name only).
      proxyAddresses: kind === "user" ? [`${local.split(".")[0]}@${domain}`] : [],
      maxSendSize: DEFAULT_MAX_SEND_SIZE,
      restEnabled: true,
    };
    store.mailboxes.set(u.id, mb);
    return mb;
  };

  const users: Record<string, User> = {};
  for (const p of PEOPLE) {
    const upn = `${p.key}@${domain}`;
    const u: User = {
      id: stableGuid(t, `user:${p.key}`),
      tenantId: t,
      userPrincipalName: upn,
      displayName: `${p.given} ${p.surname}`,
      givenName: p.given,
      surname: p.surname,
      mail: upn,
      jobTitle: p.jobTitle,
      department: p.department,
      // Users without a demo password cannot sign in with a guessable one.
      password: p.password ?? createHash("sha256").update(`${id.clientSecret}|${p.key}`).digest("base64url"),
      createdDateTime: daysAgo(p.daysAgo),
      accountEnabled: true,
    };
    store.users.set(u.id, u);
    addMailbox(u, "user");
    users[p.key] = u;
  }

  // Shared mailboxes are disabled user objects in Entra (no licence, no sign-in).
  const shared: User = {
    id: stableGuid(t, "user:hr-welcome"),
    tenantId: t,
    userPrincipalName: `hr-welcome@${domain}`,
    displayName: "HR Welcome",
    mail: `hr-welcome@${domain}`,
    department: "HR",
    password: createHash("sha256").update(`${id.clientSecret}|hr-welcome`).digest("base64url"),
    createdDateTime: daysAgo(300),
    accountEnabled: false,
  };
  store.users.set(shared.id, shared);
  addMailbox(shared, "shared");

  const senders: Group = {
    id: stableGuid(t, "group:graph-mail-senders"),
    tenantId: t,
    displayName: "Graph Mail Senders",
    mail: `graph-mail-senders@${domain}`,
    kind: "mailEnabledSecurity",
    members: [shared.id, users["adele.vance"]!.id],
  };
  const allStaff: Group = {
    id: stableGuid(t, "group:all-staff"),
    tenantId: t,
    displayName: "All Staff",
    mail: `all-staff@${domain}`,
    kind: "distribution",
    members: PEOPLE.map((p) => users[p.key]!.id),
  };
  store.groups.set(senders.id, senders);
  store.groups.set(allStaff.id, allStaff);

  const appName = opts.appDisplayName ?? DEFAULT_APP_NAME;
  store.apps.set(id.appId, {
    appId: id.appId,
    id: id.appObjectId,
    tenantId: t,
    displayName: appName,
    signInAudience: "AzureADMyOrg",
    redirectUris: [...redirectUris],
    requiredResourceAccess: [
      {
        resourceAppId: GRAPH_APP_ID,
        resourceAccess: [
          { id: GRAPH_PERMISSIONS["Mail.Send:Role"], type: "Role" },
          { id: GRAPH_PERMISSIONS["Mail.ReadWrite:Role"], type: "Role" },
          { id: EXTRA_APP_ROLES["User.Read.All"], type: "Role" },
          { id: EXTRA_APP_ROLES["GroupMember.Read.All"], type: "Role" },
          { id: EXTRA_APP_ROLES["ExchangeMessageTrace.Read.All"], type: "Role" },
          { id: GRAPH_PERMISSIONS["Mail.Send:Scope"], type: "Scope" },
          // Delegated sends with large attachments use a draft (the portal's registration asks for it too).
          { id: GRAPH_PERMISSIONS["Mail.ReadWrite:Scope"], type: "Scope" },
          { id: GRAPH_PERMISSIONS["User.Read:Scope"], type: "Scope" },
          { id: GRAPH_PERMISSIONS["openid:Scope"], type: "Scope" },
          { id: GRAPH_PERMISSIONS["profile:Scope"], type: "Scope" },
          { id: GRAPH_PERMISSIONS["email:Scope"], type: "Scope" },
          { id: GRAPH_PERMISSIONS["offline_access:Scope"], type: "Scope" },
        ],
      },
    ],
    secrets: [
      {
        keyId: id.secretKeyId,
        displayName: "sandbox",
        secretText: id.clientSecret,
        hint: id.clientSecret.slice(0, 3),
        startDateTime: daysAgo(30),
        endDateTime: new Date(now.getTime() + 335 * 86_400_000).toISOString(),
      },
    ],
    certificates: [
      {
        keyId: stableGuid(t, `cert:${id.x5tS256}`),
        displayName: "CN=M365 sandbox demo app",
        pem: id.certificatePem,
        x5t: id.x5t,
        x5tS256: id.x5tS256,
        startDateTime: daysAgo(30),
        endDateTime: new Date(now.getTime() + 700 * 86_400_000).toISOString(),
      },
    ],
    createdDateTime: daysAgo(30),
  });
  store.servicePrincipals.set(id.spObjectId, { id: id.spObjectId, appId: id.appId, tenantId: t, displayName: appName });

  const roles: [string, string][] = [
    ["Mail.Send", GRAPH_PERMISSIONS["Mail.Send:Role"]],
    ["Mail.ReadWrite", GRAPH_PERMISSIONS["Mail.ReadWrite:Role"]],
    ["User.Read.All", EXTRA_APP_ROLES["User.Read.All"]],
    ["GroupMember.Read.All", EXTRA_APP_ROLES["GroupMember.Read.All"]],
    ["ExchangeMessageTrace.Read.All", EXTRA_APP_ROLES["ExchangeMessageTrace.Read.All"]],
  ];
  for (const [value, appRoleId] of roles) {
    store.appRoleGrants.push({ id: stableGuid(t, `grant:${value}`), tenantId: t, principalId: id.spObjectId, appId: id.appId, value, appRoleId });
  }
  store.delegatedGrants.push({
    id: stableGuid(t, "oauth2grant:all"),
    tenantId: t,
    appId: id.appId,
    consentType: "AllPrincipals",
    scopes: ["Mail.Send", "Mail.ReadWrite", "User.Read", "openid", "profile", "email", "offline_access"],
  });

  // New-ApplicationAccessPolicy -AppId <app> -PolicyScopeGroupId graph-mail-senders@… -AccessRight RestrictAccess
  store.accessPolicies.push({
    identity: `${t}\\${id.appId}:${senders.id}`,
    tenantId: t,
    appId: id.appId,
    accessRight: "RestrictAccess",
    scopeId: senders.id,
    scopeName: senders.mail!,
    description: `Restrict ${appName} to the Graph Mail Senders group`,
  });

  const signIn = [users["megan.bowen"]!, users["adele.vance"]!];
  return {
    mailboxes: { allowed: users["adele.vance"]!.mail!, outsidePolicy: users["alex.wilber"]!.mail!, shared: shared.mail! },
    users: signIn.map((u) => ({ upn: u.userPrincipalName, password: u.password, displayName: u.displayName })),
    group: senders.mail!,
  };
}
