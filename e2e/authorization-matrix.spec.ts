import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { actionEntries, entryPointKeys } from "../tests/support/entry-points";
import { E2E } from "./env";
import { createLocalUser, e2eSql, grantMailbox } from "./support";

/**
 * The authorization matrix: every door into the portal — each exported method of each route handler and
 * each server action, read from the source tree (tests/support/entry-points.ts) — asked by six callers
 * with real HTTP requests to the running portal, and the answer compared with one table (EXPECTED).
 * A door the table lacks fails the first test (and, without a build, tests/unit/authorization-matrix-coverage.test.ts).
 *
 * Callers: nobody (no cookie); an ended session (a real session cookie of someone who signed out since);
 * a sender whose only grant is in tenant B; a sender granted a mailbox of tenant A who owns tenant A's
 * send and upload; an auditor; an admin with no grants. Tenants A and B, their mailboxes, grant, group,
 * send, upload, invitation and access request are this file's own rows (made per worker), so nothing here
 * touches what other files use.
 *
 * Every request is real and valid where a refusal is expected (the "attack": tenant A's ids), so a missing
 * check would show as a changed outcome. Where the table expects "allowed", a state-changing door gets a
 * harmless request instead — an invalid field, or a domain refusal that comes after authorization
 * (a send that is not failed, an attachment that does not exist) — and the answer must prove the
 * request got past authorization; reads run for real.
 *
 * Server actions are called as the browser calls them (Next 16): POST to the page that imports the action,
 * `Next-Action: <id>` from the build's server-reference manifest, the arguments encoded by React's own
 * encodeReply, and the portal's Origin (Next refuses actions from other origins).
 */

// ---------------------------------------------------------------------------------------------------
// The table

type Role = "anonymous" | "endedSession" | "otherTenantSender" | "sender" | "auditor" | "admin";

/**
 * allowed      the request got past authorization (proved from the answer, per door)
 * sign-in      401, a redirect to /sign-in, or the action's UNAUTHENTICATED answer
 * forbidden    403 / the action's FORBIDDEN answer: the role may not use this door
 * not-visible  the row exists but is not this caller's: 404 / NOT_FOUND, or missing from an export
 * not-granted  a send refused because no grant names the caller for that mailbox
 */
type Outcome = "allowed" | "sign-in" | "forbidden" | "not-visible" | "not-granted";
type Row = Record<Role, Outcome>;

const PUBLIC: Row = { anonymous: "allowed", endedSession: "allowed", otherTenantSender: "allowed", sender: "allowed", auditor: "allowed", admin: "allowed" };
const SIGNED_IN: Row = { anonymous: "sign-in", endedSession: "sign-in", otherTenantSender: "allowed", sender: "allowed", auditor: "allowed", admin: "allowed" };
const ADMIN_ONLY: Row = { anonymous: "sign-in", endedSession: "sign-in", otherTenantSender: "forbidden", sender: "forbidden", auditor: "forbidden", admin: "allowed" };
/** Tenant A's sends and history: the sender who made them, and admins and auditors (who see every tenant). */
const SEES_TENANT_A_SENDS: Row = { anonymous: "sign-in", endedSession: "sign-in", otherTenantSender: "not-visible", sender: "allowed", auditor: "allowed", admin: "allowed" };
/** Sending as tenant A's mailbox: only a grant lets anyone (admins too) send as it; auditors never send. */
const SEND_AS_TENANT_A: Row = { anonymous: "sign-in", endedSession: "sign-in", otherTenantSender: "not-granted", sender: "allowed", auditor: "forbidden", admin: "not-granted" };

/** The REST API (/api/v1) takes a Bearer key only: a cookie session, however privileged, is never a fallback. */
/** The script converter's inventory (issue 13): admins and auditors read it, admins change it. */
const READS_SCRIPTS: Row = { anonymous: "sign-in", endedSession: "sign-in", otherTenantSender: "forbidden", sender: "forbidden", auditor: "allowed", admin: "allowed" };

const BEARER_ONLY: Row = { anonymous: "sign-in", endedSession: "sign-in", otherTenantSender: "sign-in", sender: "sign-in", auditor: "sign-in", admin: "sign-in" };

const EXPECTED: Record<string, Row> = {
  "DELETE /api/uploads/[id]": { anonymous: "sign-in", endedSession: "sign-in", otherTenantSender: "not-visible", sender: "allowed", auditor: "forbidden", admin: "not-visible" },
  "GET /api/audit/export": { anonymous: "sign-in", endedSession: "sign-in", otherTenantSender: "forbidden", sender: "forbidden", auditor: "allowed", admin: "allowed" },
  "GET /api/auth/[...nextauth]": PUBLIC,
  // Bulk runs (issue 12): seen like History (creator, admins, auditors); edited and started by the creator under their grant.
  "GET /api/bulk/[runId]": SEES_TENANT_A_SENDS,
  // SMTP devices (issue 14): admins manage them, auditors read them (the relay's CA download included).
  "GET /api/devices/ca": { anonymous: "sign-in", endedSession: "sign-in", otherTenantSender: "forbidden", sender: "forbidden", auditor: "allowed", admin: "allowed" },
  "GET /api/health": PUBLIC,
  "GET /api/health/ready": PUBLIC,
  "GET /api/history/export": SEES_TENANT_A_SENDS,
  "GET /api/sends/[id]": SEES_TENANT_A_SENDS,
  // Credential lifecycle (issue 16): rotation scripts and every rotation step are for admins.
  "GET /api/credentials/[tenantId]/scripts/[kind]": ADMIN_ONLY,
  "GET /api/setup/[tenantId]/certificate": ADMIN_ONLY,
  "GET /api/setup/[tenantId]/scripts/[kind]": ADMIN_ONLY,
  "GET /api/setup/consent": ADMIN_ONLY,
  // The drop-in PowerShell module (issue 13): generated per tenant by admins, like the wizard's scripts.
  "GET /api/scripts/module": ADMIN_ONLY,
  // The converter's inventory (issue 13): uploads and changes by admins; auditors read and download.
  "POST /api/scripts": ADMIN_ONLY,
  "GET /api/scripts/[scriptId]/download": READS_SCRIPTS,
  "GET /api/scripts/export": READS_SCRIPTS,
  "app/(portal)/scripts/actions.ts#deleteScriptAction": ADMIN_ONLY,
  "app/(portal)/scripts/actions.ts#reconvertScriptAction": ADMIN_ONLY,
  "POST /api/auth/[...nextauth]": PUBLIC,
  "POST /api/sends": SEND_AS_TENANT_A,
  "POST /api/uploads": { anonymous: "sign-in", endedSession: "sign-in", otherTenantSender: "allowed", sender: "allowed", auditor: "forbidden", admin: "allowed" },
  "GET /api/v1/messages": BEARER_ONLY,
  "GET /api/v1/messages/[id]": BEARER_ONLY,
  "GET /api/v1/openapi.json": PUBLIC,
  // Prometheus scrapes with PORTAL_METRICS_TOKEN (set for the e2e portal, e2e/env.ts); no session opens it.
  "GET /metrics": BEARER_ONLY,
  "POST /api/v1/messages": BEARER_ONLY,
  "POST /api/v1/uploads": BEARER_ONLY,
  "app/(portal)/keys/actions.ts#createKeyAction": ADMIN_ONLY,
  "app/(portal)/keys/actions.ts#revokeKeyAction": ADMIN_ONLY,
  "app/(auth)/sign-in/actions.ts#chooseSignInTenant": PUBLIC,
  "app/(portal)/bulk/actions.ts#controlRunAction": { anonymous: "sign-in", endedSession: "sign-in", otherTenantSender: "not-visible", sender: "allowed", auditor: "forbidden", admin: "forbidden" },
  "app/(portal)/bulk/actions.ts#createRunAction": SEND_AS_TENANT_A,
  "app/(portal)/bulk/actions.ts#saveTemplateAction": { anonymous: "sign-in", endedSession: "sign-in", otherTenantSender: "not-visible", sender: "allowed", auditor: "forbidden", admin: "not-visible" },
  "app/(portal)/compose/actions.ts#sendAction": SEND_AS_TENANT_A,
  "app/(portal)/devices/actions.ts#createDeviceAction": ADMIN_ONLY,
  "app/(portal)/devices/actions.ts#revokeDeviceAction": ADMIN_ONLY,
  "app/(portal)/devices/actions.ts#rotateDevicePasswordAction": ADMIN_ONLY,
  "app/(portal)/devices/actions.ts#testSendDeviceAction": ADMIN_ONLY,
  "app/(portal)/devices/actions.ts#updateDeviceAction": ADMIN_ONLY,
  "app/(portal)/history/[id]/actions.ts#sendAgainAction": { ...SEES_TENANT_A_SENDS, auditor: "forbidden" },
  // "Safe to send again" for an uncertain send message trace did not find (issue 16): admins only.
  "app/(portal)/history/[id]/actions.ts#resendUncertainAction": ADMIN_ONLY,
  "app/(portal)/history/dead-letters/actions.ts#discardDeadLettersAction": ADMIN_ONLY,
  "app/(portal)/history/dead-letters/actions.ts#retryDeadLettersAction": ADMIN_ONLY,
  "app/(portal)/senders/actions.ts#addMailboxAction": ADMIN_ONLY,
  "app/(portal)/senders/actions.ts#grantAction": ADMIN_ONLY,
  "app/(portal)/senders/actions.ts#removeMailboxAction": ADMIN_ONLY,
  "app/(portal)/senders/actions.ts#revokeAction": ADMIN_ONLY,
  "app/(portal)/settings/actions.ts#startMicrosoftLink": SIGNED_IN,
  "app/(portal)/settings/credentials/actions.ts#addRotationCertificateAction": ADMIN_ONLY,
  "app/(portal)/settings/credentials/actions.ts#confirmRemovalAction": ADMIN_ONLY,
  "app/(portal)/settings/credentials/actions.ts#runRotationScriptAction": ADMIN_ONLY,
  "app/(portal)/settings/credentials/actions.ts#saveAlertSenderAction": ADMIN_ONLY,
  "app/(portal)/settings/credentials/actions.ts#saveRotationSecretAction": ADMIN_ONLY,
  "app/(portal)/settings/credentials/actions.ts#switchCredentialAction": ADMIN_ONLY,
  "app/(portal)/settings/credentials/actions.ts#verifyRotationAction": ADMIN_ONLY,
  "app/(portal)/settings/groups/actions.ts#addMemberAction": ADMIN_ONLY,
  "app/(portal)/settings/groups/actions.ts#createGroupAction": ADMIN_ONLY,
  "app/(portal)/settings/groups/actions.ts#deleteGroupAction": ADMIN_ONLY,
  "app/(portal)/settings/groups/actions.ts#removeMemberAction": ADMIN_ONLY,
  "app/(portal)/settings/message-size/actions.ts#updateMaxSendSizeAction": ADMIN_ONLY,
  "app/(portal)/settings/retention/actions.ts#updateRetentionAction": ADMIN_ONLY,
  "app/(portal)/settings/users/actions.ts#decideAccessRequestAction": ADMIN_ONLY,
  "app/(portal)/settings/users/actions.ts#inviteUserAction": ADMIN_ONLY,
  "app/(portal)/settings/users/actions.ts#revokeInvitationAction": ADMIN_ONLY,
  "app/(portal)/settings/users/actions.ts#updateAdmissionAction": ADMIN_ONLY,
  "app/(portal)/settings/users/actions.ts#updateUserAction": ADMIN_ONLY,
  "app/(portal)/setup/[tenantId]/(steps)/consent/actions.ts#consentElsewhereAction": ADMIN_ONLY,
  "app/(portal)/setup/[tenantId]/(steps)/consent/actions.ts#startConsentAction": ADMIN_ONLY,
  "app/(portal)/setup/[tenantId]/(steps)/credential/actions.ts#generateCertificateAction": ADMIN_ONLY,
  "app/(portal)/setup/[tenantId]/(steps)/credential/actions.ts#saveSecretAction": ADMIN_ONLY,
  "app/(portal)/setup/[tenantId]/(steps)/done/actions.ts#sendAsProvedAction": ADMIN_ONLY,
  "app/(portal)/setup/[tenantId]/(steps)/prove/actions.ts#proveAction": ADMIN_ONLY,
  "app/(portal)/setup/[tenantId]/(steps)/register/actions.ts#planCredentialAction": ADMIN_ONLY,
  "app/(portal)/setup/[tenantId]/(steps)/register/actions.ts#saveClientIdAction": ADMIN_ONLY,
  "app/(portal)/setup/[tenantId]/(steps)/restrict/actions.ts#saveRestrictionAction": ADMIN_ONLY,
  "app/(portal)/setup/[tenantId]/(steps)/restrict/run-actions.ts#runRecommendedAction": ADMIN_ONLY,
  "app/(portal)/setup/[tenantId]/(steps)/tenant/actions.ts#updateTenantAction": ADMIN_ONLY,
  "app/(portal)/setup/[tenantId]/(steps)/verify/actions.ts#verifyAction": ADMIN_ONLY,
  "app/(portal)/setup/[tenantId]/actions.ts#runScriptAction": ADMIN_ONLY,
  "app/(portal)/setup/actions.ts#claimPortalAction": PUBLIC,
  "app/(portal)/setup/new/actions.ts#createTenantAction": ADMIN_ONLY,
};

// ---------------------------------------------------------------------------------------------------
// This file's own people and rows

const portal = E2E.portalUrl;
const PASSWORD = "matrix horse battery staple";

interface Fixture {
  tag: string;
  tenantA: { id: string; directoryId: string; certificatePem: string };
  /** Tenant A's mailbox (granted to the sender), its grant, and tenant B's mailbox (granted to the other tenant's sender). */
  mailboxA: { id: string; address: string };
  grantA: string;
  mailboxB: string;
  /** A portal group with the sender in it; the sender's accepted send in tenant A; the sender's upload. */
  group: string;
  sendA: string;
  upload: string;
  invitation: string;
  accessRequest: string;
  /** A draft bulk run of the sender's, from tenant A's mailbox, with one recipient. */
  bulkRun: string;
  /** A converted script in tenant A's inventory. */
  script: string;
  /** An SMTP device of tenant A, granted mailbox A. */
  device: string;
  users: Record<Exclude<Role, "anonymous">, string>;
  /** API keys: tenant A's (granted mailbox A; its send `keySend`), tenant B's, and a revoked one of tenant A. */
  keys: Record<Exclude<KeyCaller, "noKey">, { id: string; secret: string }>;
  keySend: string;
  /** The Cookie header each caller sends ("" for nobody). */
  cookies: Record<Role, string>;
}

/** A minimal cookie jar for fetch: names → values, following Set-Cookie (an expired cookie is dropped). */
class Jar {
  private readonly values = new Map<string, string>();
  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split("=")[1]!) < Date.now()));
      if (expired || value === "") this.values.delete(name);
      else this.values.set(name, value);
    }
  }
  header(): string {
    return [...this.values].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  session(): string | undefined {
    return [...this.values.keys()].find((k) => k.endsWith("next-auth.session-token"));
  }
}

/** Signs in with next-auth's credentials callback, as the sign-in page does, and returns the jar. */
async function signIn(email: string): Promise<Jar> {
  const jar = new Jar();
  const csrf = await fetch(`${portal}/api/auth/csrf`);
  jar.take(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await fetch(`${portal}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.header(), origin: portal },
    body: new URLSearchParams({ csrfToken, email, password: PASSWORD, callbackUrl: `${portal}/`, json: "true" }),
  });
  jar.take(res);
  if (!jar.session()) throw new Error(`sign-in of ${email} gave no session cookie (HTTP ${res.status})`);
  // The cookie is a live session: next-auth reads it back as this person.
  const who = (await (await fetch(`${portal}/api/auth/session`, { headers: { cookie: jar.header() } })).json()) as { user?: { email?: string } };
  expect(who.user?.email).toBe(email);
  return jar;
}

async function signOut(jar: Jar): Promise<void> {
  const csrf = await fetch(`${portal}/api/auth/csrf`, { headers: { cookie: jar.header() } });
  jar.take(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await fetch(`${portal}/api/auth/signout`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.header(), origin: portal },
    body: new URLSearchParams({ csrfToken, callbackUrl: `${portal}/sign-in`, json: "true" }),
  });
  expect(res.status).toBeLessThan(400);
}

const rid = () => `mx${Math.random().toString(36).slice(2, 12)}`;

async function makeFixture(): Promise<Fixture> {
  const tag = Math.random().toString(36).slice(2, 8);
  const email = (who: string) => `matrix-${who}-${tag}@example.com`;
  const user = (who: string, role: "admin" | "sender" | "auditor") => createLocalUser({ email: email(who), name: `Matrix ${who} ${tag}`, password: PASSWORD, role });
  const users = {
    endedSession: await user("ended", "sender"),
    otherTenantSender: await user("other", "sender"),
    sender: await user("sender", "sender"),
    auditor: await user("auditor", "auditor"),
    admin: await user("admin", "admin"),
  };

  const certificatePem = `-----BEGIN CERTIFICATE-----\nTUFUUklY${tag}\n-----END CERTIFICATE-----\n`;
  const tenantA = { id: `tA${tag}`, directoryId: `${tag}-a.example.com`, certificatePem };
  const newTenant = (id: string, name: string, directoryId: string, pem: string | null) =>
    e2eSql(`insert into "Tenant"(id, name, "directoryId", "clientId", "certificatePem", "updatedAt") values ($1, $2, $3, $4, $5, now())`, [id, name, directoryId, "00000000-0000-0000-0000-0000000000aa", pem]);
  await newTenant(tenantA.id, `Matrix A ${tag}`, tenantA.directoryId, certificatePem);
  await newTenant(`tB${tag}`, `Matrix B ${tag}`, `${tag}-b.example.com`, null);

  const addressA = `matrix-${tag}@a.example.com`;
  await grantMailbox({ userId: users.sender }, `Matrix A ${tag}`, addressA);
  await grantMailbox({ userId: users.otherTenantSender }, `Matrix B ${tag}`, `matrix-${tag}@b.example.com`);
  const [mA] = await e2eSql<{ id: string; grant: string }>(
    `select m.id, g.id as grant from "SenderMailbox" m join "SenderGrant" g on g."mailboxId" = m.id where m."tenantId" = $1`,
    [tenantA.id],
  );
  const [mB] = await e2eSql<{ id: string }>(`select id from "SenderMailbox" where "tenantId" = $1`, [`tB${tag}`]);

  const group = rid();
  await e2eSql(`insert into "PortalGroup"(id, name) values ($1, $2)`, [group, `Matrix group ${tag}`]);
  await e2eSql(`insert into "PortalGroupMember"("groupId", "userId") values ($1, $2)`, [group, users.sender]);

  // Accepted (not failed): "send again" on it is refused after authorization, so an allowed cell changes nothing.
  const sendA = rid();
  await e2eSql(
    `insert into "Send"(id, "tenantId", mode, status, "actorUserId", "fromAddress", "toAddresses", "ccAddresses", "bccAddresses", "recipientCount", subject, body, "updatedAt", "completedAt")
     values ($1, $2, 'app', 'accepted', $3, $4, $5, '{}', '{}', 1, $6, 'matrix', now(), now())`,
    [sendA, tenantA.id, users.sender, addressA, [`matrix-to-${tag}@example.com`], `Matrix send ${tag}`],
  );
  const invitation = rid();
  await e2eSql(`insert into "Invitation"(id, "tenantId", email, role, "expiresAt") values ($1, $2, $3, 'sender', now() + interval '1 day')`, [invitation, tenantA.id, `matrix-invited-${tag}@a.example.com`]);
  const accessRequest = rid();
  await e2eSql(`insert into "AccessRequest"(id, "tenantId", "entraTid", "entraObjectId", email) values ($1, $2, $3, $4, $5)`, [
    accessRequest, tenantA.id, "00000000-0000-0000-0000-0000000000a1", `00000000-0000-0000-0000-${tag.padStart(12, "0")}`, `matrix-requester-${tag}@a.example.com`,
  ]);

  const bulkRun = rid();
  await e2eSql(`insert into "BulkRun"(id, "tenantId", "createdById", name, "fromAddress", source, total, "updatedAt") values ($1, $2, $3, $4, $5, 'csv', 1, now())`, [bulkRun, tenantA.id, users.sender, `Matrix run ${tag}`, addressA]);
  await e2eSql(`insert into "BulkRecipient"(id, "runId", position, address, fields) values ($1, $2, 0, $3, $4)`, [rid(), bulkRun, `matrix-bulk-${tag}@example.com`, JSON.stringify({ mail: `matrix-bulk-${tag}@example.com` })]);

  const script = rid();
  await e2eSql(`insert into "MailScript"(id, "tenantId", name, encoding, original, converted, "callsFound", "convertedCount") values ($1, $2, $3, 'utf-8', $4, $5, 1, 1)`, [
    script, tenantA.id, `matrix-${tag}.ps1`, "Send-MailMessage -To a@contoso.com -From b@contoso.com -Subject matrix\n",
    "Import-Module -Name 'GraphMail'\nSend-GraphMailMessage -To a@contoso.com -From b@contoso.com -Subject matrix\n",
  ]);
  const device = rid();
  await e2eSql(`insert into "Device"(id, "tenantId", name, username, "passwordHash") values ($1, $2, $3, $4, $5)`, [device, tenantA.id, `Matrix device ${tag}`, `dev-matrix-${tag}`, "0".repeat(64)]);
  await e2eSql(`insert into "SenderGrant"(id, "mailboxId", "deviceId") values ($1, $2, $3)`, [rid(), mA!.id, device]);

  const jars = {
    endedSession: await signIn(email("ended")),
    otherTenantSender: await signIn(email("other")),
    sender: await signIn(email("sender")),
    auditor: await signIn(email("auditor")),
    admin: await signIn(email("admin")),
  };
  // The ended session: a real session cookie, kept from before its person signed out.
  const endedCookie = jars.endedSession.header();
  await signOut(jars.endedSession);

  const up = await fetch(`${portal}/api/uploads?name=matrix-${tag}.txt`, {
    method: "POST",
    headers: { cookie: jars.sender.header(), origin: portal, "content-type": "text/plain" },
    body: `matrix ${tag}`,
  });
  expect(up.status).toBe(201);
  const { id: upload } = (await up.json()) as { id: string };

  const keys = {} as Fixture["keys"];
  for (const [caller, tenant, revoked] of [["validKey", tenantA.id, false], ["otherTenantKey", `tB${tag}`, false], ["revokedKey", tenantA.id, true]] as const) {
    const secret = `gmp_live_${randomBytes(32).toString("base64url")}`;
    const id = rid();
    await e2eSql(`insert into "ApiKey"(id, "tenantId", name, hash, "displayPrefix", "allowedSenders", "revokedAt") values ($1, $2, $3, $4, $5, '{}', $6)`, [
      id, tenant, `matrix-${caller}-${tag}`, createHash("sha256").update(secret).digest("hex"), `${secret.slice(0, 13)}…`, revoked ? new Date() : null,
    ]);
    if (tenant === tenantA.id) await e2eSql(`insert into "SenderGrant"(id, "mailboxId", "apiKeyId") values ($1, $2, $3)`, [rid(), mA!.id, id]);
    keys[caller] = { id, secret };
  }
  const keySend = rid();
  await e2eSql(
    `insert into "Send"(id, "tenantId", mode, status, "apiKeyId", "fromAddress", "toAddresses", "ccAddresses", "bccAddresses", "recipientCount", subject, body, "updatedAt", "completedAt")
     values ($1, $2, 'api', 'accepted', $3, $4, $5, '{}', '{}', 1, $6, 'matrix', now(), now())`,
    [keySend, tenantA.id, keys.validKey.id, addressA, [`matrix-to-${tag}@example.com`], `Matrix key send ${tag}`],
  );

  return {
    tag,
    keys,
    keySend,
    tenantA,
    mailboxA: { id: mA!.id, address: addressA },
    grantA: mA!.grant,
    mailboxB: mB!.id,
    group,
    sendA,
    upload,
    invitation,
    accessRequest,
    bulkRun,
    script,
    device,
    users,
    cookies: {
      anonymous: "",
      endedSession: endedCookie,
      otherTenantSender: jars.otherTenantSender.header(),
      sender: jars.sender.header(),
      auditor: jars.auditor.header(),
      admin: jars.admin.header(),
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Calling a door and reading the answer

interface Answer {
  status: number;
  /** Content-Type. */
  type: string;
  /** Location of an HTTP redirect, or the path of a server action's redirect (`x-action-redirect`). */
  location: string | null;
  text: string;
  /** A route's JSON body, when it is JSON. */
  json: { error?: { code?: string; fields?: Record<string, string> } } & Record<string, unknown> | null;
  /** A server action's return value (null when it threw or did not run). */
  result: { status?: string; code?: string; fields?: Record<string, string>; ok?: boolean; message?: string } | null;
}

type RouteCall = { path: string; headers?: Record<string, string>; body?: string };
type ActionCall = { args: unknown[] };

const form = (fields: Record<string, string>): FormData => {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  return fd;
};
/** How useActionState calls an `action()`-wrapped server action: (previous state, the form's data). */
const formAction = (fields: Record<string, string>): ActionCall => ({ args: [undefined, form(fields)] });

// React's own reply encoder, the one the browser bundle uses to call server actions (Next ships it).
const requireFromHere = createRequire(__filename);
const { encodeReply } = requireFromHere("next/dist/compiled/react-server-dom-turbopack/client.node") as {
  encodeReply: (args: unknown[]) => Promise<string | FormData>;
};

interface BuiltAction {
  id: string;
  filename: string;
  exportedName: string;
  workers: string[];
}

/** The build's server actions: `<distDir>/server/server-reference-manifest.json`, id → file, export and the pages that import it. */
function builtActions(): BuiltAction[] {
  const file = path.join(E2E.nextDistDir, "server", "server-reference-manifest.json");
  const manifest = JSON.parse(readFileSync(file, "utf8")) as Record<"node" | "edge", Record<string, { filename: string; exportedName: string; workers: Record<string, unknown> }>>;
  return (["node", "edge"] as const).flatMap((runtime) =>
    Object.entries(manifest[runtime] ?? {}).map(([id, a]) => ({ id, filename: a.filename, exportedName: a.exportedName, workers: Object.keys(a.workers) })),
  );
}

/** "app/(portal)/setup/[tenantId]/(steps)/verify/page" → "/setup/<tenant A>/verify". */
function pageUrl(worker: string, f: Fixture): string {
  const params: Record<string, string> = { tenantId: f.tenantA.id, id: f.sendA, runId: f.bulkRun, scriptId: f.script, deviceId: f.device };
  const segments = worker.split("/").slice(1, -1).filter((s) => !/^\(.*\)$/.test(s));
  return `/${segments
    .map((s) => {
      const m = /^\[(\w+)\]$/.exec(s);
      if (!m) return s;
      if (!params[m[1]!]) throw new Error(`no value for the page parameter ${s} of ${worker}`);
      return params[m[1]!];
    })
    .join("/")}`;
}

/** The action's return value from an RSC answer: row 0 is `{"a":"$@N",…}`, row N the value (or `E{…}` when it threw). */
function actionResult(text: string): Answer["result"] {
  const rows = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^([0-9a-f]+):(.*)$/.exec(line);
    if (m) rows.set(m[1]!, m[2]!);
  }
  try {
    const root = JSON.parse(rows.get("0") ?? "null") as { a?: unknown } | null;
    const ref = typeof root?.a === "string" && root.a.startsWith("$@") ? rows.get(root.a.slice(2)) : undefined;
    if (!ref || ref.startsWith("E")) return null;
    return JSON.parse(ref) as Answer["result"];
  } catch {
    return null;
  }
}

async function answerOf(res: Response): Promise<Answer> {
  const text = await res.text();
  const type = res.headers.get("content-type") ?? "";
  let json: Answer["json"] = null;
  if (type.includes("application/json")) {
    try {
      json = JSON.parse(text) as Answer["json"];
    } catch {
      json = null;
    }
  }
  const actionRedirect = res.headers.get("x-action-redirect");
  return {
    status: res.status,
    type,
    location: actionRedirect ? actionRedirect.split(";")[0]! : res.headers.get("location"),
    text,
    json,
    result: type.includes("text/x-component") ? actionResult(text) : null,
  };
}

async function callRoute(method: string, call: RouteCall, cookie: string): Promise<Answer> {
  const res = await fetch(`${portal}${call.path}`, {
    method,
    redirect: "manual",
    headers: { origin: portal, ...(cookie ? { cookie } : {}), ...call.headers },
    body: call.body,
  });
  return answerOf(res);
}

async function callAction(action: BuiltAction, call: ActionCall, cookie: string, f: Fixture): Promise<Answer> {
  const body = await encodeReply(call.args);
  const res = await fetch(`${portal}${pageUrl(action.workers[0]!, f)}`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "next-action": action.id,
      origin: portal,
      accept: "text/x-component",
      ...(cookie ? { cookie } : {}),
      // A string reply travels as text (what the browser's fetch sends); a FormData sets its own multipart type.
      ...(typeof body === "string" ? { "content-type": "text/plain;charset=UTF-8" } : {}),
    },
    body,
  });
  return answerOf(res);
}

// ---------------------------------------------------------------------------------------------------
// One probe per door: the request, and what proves "allowed" (and, where it differs, "not visible")

interface Probe<C> {
  /** A valid request aimed at tenant A's rows: what every refused caller sends. */
  attack: (f: Fixture) => C;
  /** For callers the table allows: passes authorization and changes nothing. Defaults to the attack. */
  harmless?: (f: Fixture) => C;
  /** What shows the request got past authorization, not merely that it was not refused. */
  allowed: (a: Answer, f: Fixture) => boolean;
  /** What shows the row exists but is not this caller's (default: 404 or a …NOT_FOUND code). */
  notVisible?: (a: Answer, f: Fixture) => boolean;
}

const fieldError = (name: string) => (a: Answer) => a.result?.status === "error" && a.result.code === undefined && typeof a.result.fields?.[name] === "string";
const actionCode = (code: string) => (a: Answer) => a.result?.status === "error" && a.result.code === code;
const routeError = (status: number, code: string) => (a: Answer) => a.status === status && a.json?.error?.code === code;
const sendFields = (f: Fixture) => ({
  tenantId: f.tenantA.id,
  mode: "app",
  from: f.mailboxA.address,
  to: `matrix-to-${f.tag}@example.com`,
  subject: `Matrix ${f.tag}`,
  body: "<p>matrix</p>",
});
// An attachment that was never uploaded: checked after the grant, so a send that gets past authorization stops there.
const NO_SUCH_UPLOAD = "0".repeat(32);
/** A multipart/form-data body as a browser's FormData sends it (text fields only). */
const multipart = (fields: Record<string, string>): RouteCall => {
  const boundary = `----matrix${Math.random().toString(36).slice(2)}`;
  const body = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join("") + `--${boundary}--\r\n`;
  return { path: "/api/scripts", headers: { "content-type": `multipart/form-data; boundary=${boundary}` }, body };
};
const uploadNotFound = (a: Answer) =>
  (a.status === 404 && a.json?.error?.code === "UPLOAD_NOT_FOUND") || (a.result?.code === "UPLOAD_NOT_FOUND" && typeof a.result.fields?.attachments === "string");

const ROUTES: Record<string, Probe<RouteCall>> = {
  "DELETE /api/uploads/[id]": {
    attack: (f) => ({ path: `/api/uploads/${f.upload}` }),
    allowed: (a) => a.status === 204,
  },
  "GET /api/audit/export": {
    attack: (f) => ({ path: `/api/audit/export?tenant=${f.tenantA.id}` }),
    allowed: (a) => a.status === 200 && a.type.startsWith("text/csv"),
  },
  "GET /api/auth/[...nextauth]": {
    attack: () => ({ path: "/api/auth/providers" }),
    allowed: (a) => a.status === 200 && a.json?.credentials !== undefined,
  },
  "GET /api/bulk/[runId]": {
    attack: (f) => ({ path: `/api/bulk/${f.bulkRun}` }),
    allowed: (a, f) => a.status === 200 && a.json?.id === f.bulkRun && Array.isArray(a.json?.recipients),
  },
  "GET /api/devices/ca": {
    attack: () => ({ path: "/api/devices/ca" }),
    // Past authorization: the PEM, or (before the relay's first start) the named 404.
    allowed: (a) => (a.status === 200 && a.text.includes("BEGIN CERTIFICATE")) || (a.status === 404 && a.json?.error?.code === "RELAY_CA_NOT_CREATED"),
  },
  "GET /api/health": {
    attack: () => ({ path: "/api/health" }),
    allowed: (a) => a.status === 200 && a.json?.status === "ok",
  },
  "GET /api/health/ready": {
    attack: () => ({ path: "/api/health/ready" }),
    allowed: (a) => a.status === 200 && a.json?.status === "ready",
  },
  "GET /metrics": {
    attack: () => ({ path: "/metrics" }),
    allowed: (a) => a.status === 200 && a.text.includes("gmp_outbox_queue_depth"),
  },
  "GET /api/history/export": {
    attack: (f) => ({ path: `/api/history/export?format=json&tenant=${f.tenantA.id}` }),
    allowed: (a, f) => a.status === 200 && a.text.includes(f.sendA),
    notVisible: (a, f) => a.status === 200 && a.text.trim().startsWith("[") && !a.text.includes(f.sendA),
  },
  "GET /api/sends/[id]": {
    attack: (f) => ({ path: `/api/sends/${f.sendA}` }),
    allowed: (a, f) => a.status === 200 && a.json?.id === f.sendA,
  },
  "GET /api/credentials/[tenantId]/scripts/[kind]": {
    attack: (f) => ({ path: `/api/credentials/${f.tenantA.id}/scripts/add-secret` }),
    allowed: (a, f) => a.status === 200 && a.text.includes(f.tenantA.directoryId) && a.text.includes("Add-MgApplicationPassword"),
  },
  "GET /api/setup/[tenantId]/certificate": {
    attack: (f) => ({ path: `/api/setup/${f.tenantA.id}/certificate?format=pem` }),
    allowed: (a, f) => a.status === 200 && a.text === f.tenantA.certificatePem,
  },
  "GET /api/setup/[tenantId]/scripts/[kind]": {
    attack: (f) => ({ path: `/api/setup/${f.tenantA.id}/scripts/register-ps` }),
    allowed: (a, f) => a.status === 200 && a.text.includes(f.tenantA.directoryId),
  },
  "GET /api/scripts/module": {
    attack: (f) => ({ path: `/api/scripts/module?tenant=${f.tenantA.id}&transport=api` }),
    // A zip (PK) whose module names tenant A's portal settings; nothing else answers application/zip.
    allowed: (a) => a.status === 200 && a.type === "application/zip" && a.text.startsWith("PK"),
  },
  "POST /api/scripts": {
    // A real upload to tenant A; the harmless one names no tenant, refused (422, the field named) after authorization.
    attack: (f) => multipart({ tenantId: f.tenantA.id, pasted: `Send-MailMessage -To a@contoso.com -From b@contoso.com -Subject matrix-${f.tag}\n` }),
    harmless: () => multipart({ pasted: "Send-MailMessage -To a@contoso.com -From b@contoso.com -Subject matrix\n" }),
    allowed: (a) => a.status === 422 && typeof a.json?.error?.fields?.tenantId === "string",
  },
  "GET /api/scripts/[scriptId]/download": {
    attack: (f) => ({ path: `/api/scripts/${f.script}/download` }),
    allowed: (a) => a.status === 200 && a.text.includes("Send-GraphMailMessage -To a@contoso.com"),
  },
  "GET /api/scripts/export": {
    attack: (f) => ({ path: `/api/scripts/export?tenant=${f.tenantA.id}` }),
    allowed: (a) => a.status === 200 && a.type === "application/zip" && a.text.startsWith("PK"),
  },
  "GET /api/setup/consent": {
    // A state the portal never issued: an admin is sent back to the wizard with the reason, nothing is recorded.
    attack: (f) => ({ path: `/api/setup/consent?admin_consent=True&tenant=${f.tenantA.directoryId}&state=matrix-${f.tag}` }),
    allowed: (a) => a.status === 303 && (a.location ?? "").endsWith("/setup?consent=unknown"),
  },
  "POST /api/auth/[...nextauth]": {
    // Without next-auth's CSRF token the credentials callback stops before checking anything.
    attack: () => ({
      path: "/api/auth/callback/credentials",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrfToken: "matrix", email: "nobody@example.com", password: "x" }).toString(),
    }),
    allowed: (a) => a.status === 302 && (a.location ?? "").includes("csrf=true"),
  },
  "POST /api/sends": {
    attack: (f) => ({ path: "/api/sends", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...sendFields(f), to: [sendFields(f).to], attachments: [{ id: NO_SUCH_UPLOAD }] }) }),
    allowed: uploadNotFound,
  },
  "GET /api/v1/messages": {
    attack: () => ({ path: "/api/v1/messages" }),
    allowed: (a) => a.status === 200,
  },
  "GET /api/v1/messages/[id]": {
    attack: (f) => ({ path: `/api/v1/messages/${f.keySend}` }),
    allowed: (a) => a.status === 200,
  },
  "GET /api/v1/openapi.json": {
    attack: () => ({ path: "/api/v1/openapi.json" }),
    allowed: (a) => a.status === 200 && a.json?.openapi === "3.1.0",
  },
  "POST /api/v1/messages": {
    attack: (f) => ({ path: "/api/v1/messages", headers: { "content-type": "application/json" }, body: JSON.stringify(v1Message(f)) }),
    allowed: (a) => a.status === 202,
  },
  "POST /api/v1/uploads": {
    attack: (f) => ({ path: `/api/v1/uploads?name=matrix-${f.tag}.txt`, headers: { "content-type": "text/plain" }, body: "matrix" }),
    allowed: (a) => a.status === 201,
  },
  "POST /api/uploads": {
    attack: (f) => ({ path: `/api/uploads?name=matrix-${f.tag}.txt`, headers: { "content-type": "text/plain" }, body: "matrix" }),
    // No body: refused after authorization, before anything is stored.
    harmless: () => ({ path: "/api/uploads?name=empty.txt" }),
    allowed: routeError(400, "UPLOAD_EMPTY"),
  },
};

const ACTIONS: Record<string, Probe<ActionCall>> = {
  "app/(portal)/keys/actions.ts#createKeyAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id, name: `matrix-created-${f.tag}`, mailboxIds: f.mailboxA.id }),
    harmless: (f) => formAction({ tenantId: f.tenantA.id, name: "", mailboxIds: f.mailboxA.id }),
    allowed: fieldError("name"),
  },
  "app/(portal)/scripts/actions.ts#deleteScriptAction": {
    attack: (f) => formAction({ scriptId: f.script }),
    harmless: () => formAction({ scriptId: "" }),
    allowed: fieldError("scriptId"),
  },
  "app/(portal)/scripts/actions.ts#reconvertScriptAction": {
    attack: (f) => formAction({ scriptId: f.script }),
    harmless: () => formAction({ scriptId: "" }),
    allowed: fieldError("scriptId"),
  },
  "app/(portal)/keys/actions.ts#revokeKeyAction": {
    attack: (f) => formAction({ keyId: f.keys.validKey.id }),
    harmless: () => formAction({ keyId: "" }),
    allowed: fieldError("keyId"),
  },
  "app/(auth)/sign-in/actions.ts#chooseSignInTenant": {
    attack: (f) => ({ args: [f.tenantA.id] }),
    allowed: (a) => a.status === 200 && a.result?.ok === false,
  },
  "app/(portal)/bulk/actions.ts#controlRunAction": {
    attack: (f) => formAction({ runId: f.bulkRun, op: "start" }),
    // Pausing a draft: refused for its state, after authorization.
    harmless: (f) => formAction({ runId: f.bulkRun, op: "pause" }),
    allowed: actionCode("RUN_STATE"),
  },
  "app/(portal)/bulk/actions.ts#createRunAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id, from: f.mailboxA.address, source: "csv", csv: `email\nmatrix-bulk-new-${f.tag}@example.com` }),
    // A CSV without an email column: refused after the grant was checked, before anything is stored.
    harmless: (f) => formAction({ tenantId: f.tenantA.id, from: f.mailboxA.address, source: "csv", csv: "name\nMatrix" }),
    allowed: (a) => a.result?.code === "VALIDATION_FAILED" && /No email column/.test(a.result.fields?.csv ?? ""),
  },
  "app/(portal)/bulk/actions.ts#saveTemplateAction": {
    attack: (f) => formAction({ runId: f.bulkRun, subject: `Matrix ${f.tag}`, html: "<p>matrix</p>" }),
    // An unknown placeholder: refused after the owner check, nothing saved.
    harmless: (f) => formAction({ runId: f.bulkRun, subject: "Hi {{matrixNope}}", html: "<p>matrix</p>" }),
    allowed: (a) => a.result?.code === "VALIDATION_FAILED" && /matrixNope/.test(a.result.fields?.subject ?? ""),
  },
  "app/(portal)/compose/actions.ts#sendAction": {
    attack: (f) => formAction({ ...sendFields(f), attachments: JSON.stringify([{ id: NO_SUCH_UPLOAD }]) }),
    allowed: uploadNotFound,
  },
  "app/(portal)/devices/actions.ts#createDeviceAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id, name: `Matrix created device ${f.tag}`, mailboxIds: f.mailboxA.id, allowedIps: "" }),
    harmless: (f) => formAction({ tenantId: f.tenantA.id, name: "", mailboxIds: f.mailboxA.id, allowedIps: "" }),
    allowed: fieldError("name"),
  },
  "app/(portal)/devices/actions.ts#revokeDeviceAction": {
    attack: (f) => formAction({ deviceId: f.device }),
    harmless: () => formAction({ deviceId: "" }),
    allowed: fieldError("deviceId"),
  },
  "app/(portal)/devices/actions.ts#rotateDevicePasswordAction": {
    attack: (f) => formAction({ deviceId: f.device }),
    harmless: () => formAction({ deviceId: "" }),
    allowed: fieldError("deviceId"),
  },
  "app/(portal)/devices/actions.ts#testSendDeviceAction": {
    attack: (f) => formAction({ deviceId: f.device, password: "matrix", to: `matrix-to-${f.tag}@example.com` }),
    harmless: (f) => formAction({ deviceId: f.device, password: "matrix", to: "not an address" }),
    allowed: fieldError("to"),
  },
  "app/(portal)/devices/actions.ts#updateDeviceAction": {
    attack: (f) => formAction({ deviceId: f.device, name: `Matrix renamed device ${f.tag}`, mailboxIds: f.mailboxA.id, allowedIps: "" }),
    harmless: (f) => formAction({ deviceId: f.device, name: `Matrix device ${f.tag}`, mailboxIds: f.mailboxA.id, allowedIps: "300.1.2.3/8" }),
    allowed: fieldError("allowedIps"),
  },
  "app/(portal)/history/[id]/actions.ts#sendAgainAction": {
    attack: (f) => formAction({ sendId: f.sendA }),
    allowed: actionCode("NOT_FAILED"),
  },
  // Tenant A's send was accepted, not uncertain: an admin is answered NOT_SAFE_TO_RESEND, nothing is queued.
  "app/(portal)/history/[id]/actions.ts#resendUncertainAction": {
    attack: (f) => formAction({ sendId: f.sendA }),
    allowed: actionCode("NOT_SAFE_TO_RESEND"),
  },
  // Tenant A's send was accepted, so it is no dead letter: an admin is answered NOT_DEAD_LETTER, nothing changes.
  "app/(portal)/history/dead-letters/actions.ts#discardDeadLettersAction": {
    attack: (f) => formAction({ sendIds: f.sendA }),
    allowed: actionCode("NOT_DEAD_LETTER"),
  },
  "app/(portal)/history/dead-letters/actions.ts#retryDeadLettersAction": {
    attack: (f) => formAction({ sendIds: f.sendA }),
    allowed: actionCode("NOT_DEAD_LETTER"),
  },
  "app/(portal)/senders/actions.ts#addMailboxAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id, address: `matrix-added-${f.tag}@a.example.com` }),
    harmless: (f) => formAction({ tenantId: f.tenantA.id, address: "not an address" }),
    allowed: fieldError("address"),
  },
  "app/(portal)/senders/actions.ts#grantAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id, mailboxId: f.mailboxA.id, grantee: `user:${f.users.otherTenantSender}` }),
    harmless: (f) => formAction({ tenantId: f.tenantA.id, mailboxId: f.mailboxA.id, grantee: "nobody" }),
    allowed: fieldError("grantee"),
  },
  "app/(portal)/senders/actions.ts#removeMailboxAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id, mailboxId: f.mailboxA.id }),
    harmless: (f) => formAction({ tenantId: f.tenantA.id, mailboxId: "" }),
    allowed: fieldError("mailboxId"),
  },
  "app/(portal)/senders/actions.ts#revokeAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id, grantId: f.grantA }),
    harmless: (f) => formAction({ tenantId: f.tenantA.id, grantId: "" }),
    allowed: fieldError("grantId"),
  },
  "app/(portal)/settings/actions.ts#startMicrosoftLink": {
    // Tenant A has no client secret, so it is not a Microsoft sign-in tenant: answered, nothing set.
    attack: (f) => ({ args: [f.tenantA.id] }),
    allowed: (a) => a.status === 200 && a.result?.ok === false && a.result.code === undefined && /not available/.test(a.result.message ?? ""),
  },
  "app/(portal)/settings/groups/actions.ts#addMemberAction": {
    attack: (f) => formAction({ groupId: f.group, userId: f.users.otherTenantSender }),
    harmless: (f) => formAction({ groupId: f.group, userId: "" }),
    allowed: fieldError("userId"),
  },
  "app/(portal)/settings/credentials/actions.ts#addRotationCertificateAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id, years: "1" }),
    harmless: (f) => formAction({ tenantId: f.tenantA.id, years: "9" }),
    allowed: fieldError("years"),
  },
  "app/(portal)/settings/credentials/actions.ts#confirmRemovalAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id }),
    harmless: () => formAction({ tenantId: "" }),
    allowed: fieldError("tenantId"),
  },
  "app/(portal)/settings/credentials/actions.ts#runRotationScriptAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id, kind: "add-secret" }),
    harmless: (f) => formAction({ tenantId: f.tenantA.id, kind: "format-c" }),
    allowed: fieldError("kind"),
  },
  "app/(portal)/settings/credentials/actions.ts#saveAlertSenderAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id, fromAddress: f.mailboxA.address }),
    harmless: (f) => formAction({ tenantId: f.tenantA.id, fromAddress: "not an address" }),
    allowed: fieldError("fromAddress"),
  },
  "app/(portal)/settings/credentials/actions.ts#saveRotationSecretAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id, secret: `matrix-secret-${f.tag}`, expires: "2099-01-01" }),
    harmless: (f) => formAction({ tenantId: f.tenantA.id, secret: "", expires: "2099-01-01" }),
    allowed: fieldError("secret"),
  },
  "app/(portal)/settings/credentials/actions.ts#switchCredentialAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id }),
    harmless: () => formAction({ tenantId: "" }),
    allowed: fieldError("tenantId"),
  },
  "app/(portal)/settings/credentials/actions.ts#verifyRotationAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id }),
    harmless: () => formAction({ tenantId: "" }),
    allowed: fieldError("tenantId"),
  },
  "app/(portal)/settings/groups/actions.ts#createGroupAction": {
    attack: (f) => formAction({ name: `Matrix created ${f.tag}` }),
    harmless: () => formAction({ name: "" }),
    allowed: fieldError("name"),
  },
  "app/(portal)/settings/groups/actions.ts#deleteGroupAction": {
    attack: (f) => formAction({ groupId: f.group }),
    harmless: () => formAction({ groupId: "" }),
    allowed: fieldError("groupId"),
  },
  "app/(portal)/settings/groups/actions.ts#removeMemberAction": {
    attack: (f) => formAction({ groupId: f.group, userId: f.users.sender }),
    harmless: (f) => formAction({ groupId: f.group, userId: "" }),
    allowed: fieldError("userId"),
  },
  "app/(portal)/settings/message-size/actions.ts#updateMaxSendSizeAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id, maxSendSizeMB: "1" }),
    harmless: (f) => formAction({ tenantId: f.tenantA.id, maxSendSizeMB: "0" }),
    allowed: fieldError("maxSendSizeMB"),
  },
  "app/(portal)/settings/retention/actions.ts#updateRetentionAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id, retentionDays: "1", metadataOnly: "on" }),
    harmless: (f) => formAction({ tenantId: f.tenantA.id, retentionDays: "0" }),
    allowed: fieldError("retentionDays"),
  },
  "app/(portal)/settings/users/actions.ts#decideAccessRequestAction": {
    attack: (f) => formAction({ requestId: f.accessRequest, decision: "approve", role: "admin" }),
    harmless: (f) => formAction({ requestId: f.accessRequest, decision: "approve", role: "overlord" }),
    allowed: fieldError("role"),
  },
  "app/(portal)/settings/users/actions.ts#inviteUserAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id, email: `matrix-evil-${f.tag}@a.example.com`, role: "admin" }),
    harmless: (f) => formAction({ tenantId: f.tenantA.id, email: "not an address", role: "sender" }),
    allowed: fieldError("email"),
  },
  "app/(portal)/settings/users/actions.ts#revokeInvitationAction": {
    attack: (f) => formAction({ invitationId: f.invitation }),
    harmless: () => formAction({ invitationId: "" }),
    allowed: fieldError("invitationId"),
  },
  "app/(portal)/settings/users/actions.ts#updateAdmissionAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id, admission: "automatic", admissionRole: "sender" }),
    harmless: (f) => formAction({ tenantId: f.tenantA.id, admission: "everyone", admissionRole: "sender" }),
    allowed: fieldError("admission"),
  },
  "app/(portal)/settings/users/actions.ts#updateUserAction": {
    // The other tenant's sender makes themself an admin.
    attack: (f) => formAction({ userId: f.users.otherTenantSender, role: "admin" }),
    harmless: () => formAction({ userId: "", role: "admin" }),
    allowed: fieldError("userId"),
  },
  "app/(portal)/setup/[tenantId]/(steps)/consent/actions.ts#consentElsewhereAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id }),
    harmless: () => formAction({ tenantId: "" }),
    allowed: fieldError("tenantId"),
  },
  "app/(portal)/setup/[tenantId]/(steps)/consent/actions.ts#startConsentAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id }),
    harmless: () => formAction({ tenantId: "" }),
    allowed: fieldError("tenantId"),
  },
  "app/(portal)/setup/[tenantId]/(steps)/credential/actions.ts#generateCertificateAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id, years: "1" }),
    harmless: (f) => formAction({ tenantId: f.tenantA.id, years: "9" }),
    allowed: fieldError("years"),
  },
  "app/(portal)/setup/[tenantId]/(steps)/credential/actions.ts#saveSecretAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id, secret: `matrix-secret-${f.tag}`, expires: "2099-01-01" }),
    harmless: (f) => formAction({ tenantId: f.tenantA.id, secret: "", expires: "2099-01-01" }),
    allowed: fieldError("secret"),
  },
  "app/(portal)/setup/[tenantId]/(steps)/done/actions.ts#sendAsProvedAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id }),
    harmless: () => formAction({ tenantId: "" }),
    allowed: fieldError("tenantId"),
  },
  "app/(portal)/setup/[tenantId]/(steps)/prove/actions.ts#proveAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id }),
    harmless: () => formAction({ tenantId: "" }),
    allowed: fieldError("tenantId"),
  },
  "app/(portal)/setup/[tenantId]/(steps)/register/actions.ts#planCredentialAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id, credential: "certificate" }),
    harmless: (f) => formAction({ tenantId: f.tenantA.id, credential: "carrier-pigeon" }),
    allowed: fieldError("credential"),
  },
  "app/(portal)/setup/[tenantId]/(steps)/register/actions.ts#saveClientIdAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id, clientId: "11111111-2222-3333-4444-555555555555" }),
    harmless: (f) => formAction({ tenantId: f.tenantA.id, clientId: "not-a-guid" }),
    allowed: fieldError("clientId"),
  },
  "app/(portal)/setup/[tenantId]/(steps)/restrict/actions.ts#saveRestrictionAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id, mailboxes: f.mailboxA.address, groupAddress: `matrix-group-${f.tag}@a.example.com` }),
    harmless: (f) => formAction({ tenantId: f.tenantA.id, mailboxes: f.mailboxA.address, groupAddress: "not an address" }),
    allowed: fieldError("groupAddress"),
  },
  "app/(portal)/setup/[tenantId]/(steps)/restrict/run-actions.ts#runRecommendedAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id }),
    harmless: () => formAction({ tenantId: "" }),
    allowed: fieldError("tenantId"),
  },
  "app/(portal)/setup/[tenantId]/(steps)/tenant/actions.ts#updateTenantAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id, name: `Matrix renamed ${f.tag}`, directoryId: f.tenantA.directoryId, cloud: "global", usage: "application" }),
    harmless: (f) => formAction({ tenantId: f.tenantA.id, name: "", directoryId: f.tenantA.directoryId, cloud: "global", usage: "application" }),
    allowed: fieldError("name"),
  },
  "app/(portal)/setup/[tenantId]/(steps)/verify/actions.ts#verifyAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id }),
    harmless: () => formAction({ tenantId: "" }),
    allowed: fieldError("tenantId"),
  },
  "app/(portal)/setup/[tenantId]/actions.ts#runScriptAction": {
    attack: (f) => formAction({ tenantId: f.tenantA.id, kind: "policy" }),
    harmless: (f) => formAction({ tenantId: f.tenantA.id, kind: "format-c" }),
    allowed: fieldError("kind"),
  },
  "app/(portal)/setup/actions.ts#claimPortalAction": {
    // Public by nature (the portal's first admin has no account yet); a short password stops it before the code is checked.
    attack: (f) => formAction({ code: "MATR-IXMA-TRIX-MATR", name: "Mallory", email: `matrix-claim-${f.tag}@example.com`, password: "short", confirm: "short" }),
    allowed: fieldError("password"),
  },
  "app/(portal)/setup/new/actions.ts#createTenantAction": {
    attack: (f) => formAction({ name: `Matrix created ${f.tag}`, directoryId: `${f.tag}-created.example.com`, cloud: "global", usage: "application" }),
    harmless: (f) => formAction({ name: "", directoryId: `${f.tag}-created.example.com`, cloud: "global", usage: "application" }),
    allowed: fieldError("name"),
  },
};

/** The outcome class an answer shows; anything else is described as it came, so a mismatch says what happened. */
function classify(a: Answer, probe: Probe<unknown>, f: Fixture): Outcome | string {
  if (probe.allowed(a, f)) return "allowed";
  const code = a.json?.error?.code ?? a.result?.code;
  const location = a.location ?? "";
  if (a.status === 401 || code === "UNAUTHENTICATED" || ([302, 303, 307, 308].includes(a.status) && location.startsWith("/sign-in")) || (a.result === null && location.startsWith("/sign-in"))) return "sign-in";
  if (code === "FORBIDDEN" && (a.status === 403 || a.result !== null)) return "forbidden";
  if (/^You may not send as /.test(a.json?.error?.fields?.from ?? a.result?.fields?.from ?? "")) return "not-granted";
  if (probe.notVisible ? probe.notVisible(a, f) : a.status === 404 || /NOT_FOUND$/.test(code ?? "")) return "not-visible";
  return `unexpected: HTTP ${a.status}${location ? ` → ${location}` : ""} ${a.text.slice(0, 300)}`;
}

// ---------------------------------------------------------------------------------------------------
// The tests

let fixture: Promise<Fixture> | undefined;
const getFixture = () => (fixture ??= makeFixture());

test("the table has a row for every route handler and server action in the source, and the build has an id for each action", () => {
  expect(Object.keys(EXPECTED).sort()).toEqual(entryPointKeys().sort());
  expect(Object.keys({ ...ROUTES, ...ACTIONS }).sort()).toEqual(Object.keys(EXPECTED).sort());
  const built = builtActions();
  const builtKeys = built.map((a) => `${a.filename}#${a.exportedName}`).sort();
  // Every source action was built (a missing one is unreachable or renamed), and the build has no action the table lacks.
  expect(builtKeys).toEqual(actionEntries().map((e) => e.key).sort());
  expect(built.every((a) => a.workers.length > 0)).toBe(true);
});

// Owners go last: the sender's DELETE removes their upload, after every other caller has tried it.
const RUN_ORDER: Role[] = ["anonymous", "endedSession", "otherTenantSender", "auditor", "admin", "sender"];

for (const [key, row] of Object.entries(EXPECTED)) {
  test(`authorization matrix: ${key}`, async () => {
    const f = await getFixture();
    const observed = {} as Record<Role, string>;
    const routeProbe = ROUTES[key];
    const actionProbe = ACTIONS[key];
    if (!routeProbe && !actionProbe) throw new Error(`no probe for ${key}`);
    const built = actionProbe ? builtActions().find((a) => `${a.filename}#${a.exportedName}` === key) : undefined;
    if (actionProbe && !built) throw new Error(`${key} has no id in the build's server-reference manifest`);
    for (const role of RUN_ORDER) {
      const probe = (routeProbe ?? actionProbe)!;
      const build = row[role] === "allowed" ? (probe.harmless ?? probe.attack) : probe.attack;
      const answer = routeProbe
        ? await callRoute(key.split(" ")[0]!, (build as (f: Fixture) => RouteCall)(f), f.cookies[role])
        : await callAction(built!, (build as (f: Fixture) => ActionCall)(f), f.cookies[role], f);
      observed[role] = classify(answer, probe as Probe<unknown>, f);
    }
    expect(observed, `${key}: expected (table) vs observed, per caller`).toEqual(row);
  });
}

// ---------------------------------------------------------------------------------------------------
// The REST API's own callers: Bearer keys (a cookie is never looked at, see BEARER_ONLY above)

/**
 * noKey           no Authorization header
 * otherTenantKey  a valid key of tenant B (no grant in tenant A)
 * revokedKey      tenant A's key, granted mailbox A, revoked
 * validKey        tenant A's key, granted mailbox A; it made `keySend`
 */
type KeyCaller = "noKey" | "otherTenantKey" | "revokedKey" | "validKey";
type KeyRow = Record<KeyCaller, Outcome>;
const KEY_ORDER: KeyCaller[] = ["noKey", "revokedKey", "otherTenantKey", "validKey"];

const v1Message = (f: Fixture) => ({
  from: { emailAddress: { address: f.mailboxA.address } },
  subject: `Matrix v1 ${f.tag}`,
  toRecipients: [{ emailAddress: { address: `matrix-to-${f.tag}@example.com` } }],
  attachmentIds: [NO_SUCH_UPLOAD],
});

const KEY_EXPECTED: Record<string, KeyRow> = {
  "GET /api/v1/messages": { noKey: "sign-in", revokedKey: "sign-in", otherTenantKey: "not-visible", validKey: "allowed" },
  "GET /api/v1/messages/[id]": { noKey: "sign-in", revokedKey: "sign-in", otherTenantKey: "not-visible", validKey: "allowed" },
  "GET /api/v1/openapi.json": { noKey: "allowed", revokedKey: "allowed", otherTenantKey: "allowed", validKey: "allowed" },
  "POST /api/v1/messages": { noKey: "sign-in", revokedKey: "sign-in", otherTenantKey: "not-granted", validKey: "allowed" },
  "POST /api/v1/uploads": { noKey: "sign-in", revokedKey: "sign-in", otherTenantKey: "allowed", validKey: "allowed" },
};

interface KeyProbe {
  attack: (f: Fixture) => RouteCall;
  /** For allowed keys: past authorization, nothing changed. Defaults to the attack. */
  harmless?: (f: Fixture) => RouteCall;
  allowed: (status: number, body: Record<string, unknown> | null, f: Fixture) => boolean;
  notVisible?: (status: number, body: Record<string, unknown> | null, f: Fixture) => boolean;
}

const KEY_PROBES: Record<string, KeyProbe> = {
  "GET /api/v1/messages": {
    attack: () => ({ path: "/api/v1/messages" }),
    allowed: (s, b, f) => s === 200 && JSON.stringify(b?.value).includes(f.keySend),
    notVisible: (s, b, f) => s === 200 && Array.isArray(b?.value) && !JSON.stringify(b.value).includes(f.keySend),
  },
  "GET /api/v1/messages/[id]": {
    attack: (f) => ({ path: `/api/v1/messages/${f.keySend}` }),
    allowed: (s, b, f) => s === 200 && b?.id === f.keySend,
  },
  "GET /api/v1/openapi.json": {
    attack: () => ({ path: "/api/v1/openapi.json" }),
    allowed: (s, b) => s === 200 && b?.openapi === "3.1.0",
  },
  "POST /api/v1/messages": {
    // Sends as tenant A's mailbox; an attachment that was never uploaded stops an authorized request after the grant check.
    attack: (f) => ({ path: "/api/v1/messages", headers: { "content-type": "application/json" }, body: JSON.stringify(v1Message(f)) }),
    allowed: (s, b) => s === 404 && b?.code === "UPLOAD_NOT_FOUND",
  },
  "POST /api/v1/uploads": {
    attack: (f) => ({ path: `/api/v1/uploads?name=matrix-${f.tag}.txt`, headers: { "content-type": "text/plain" }, body: "matrix" }),
    // No body: refused after authorization, before anything is stored.
    harmless: () => ({ path: "/api/v1/uploads?name=empty.txt" }),
    allowed: (s, b) => s === 400 && b?.code === "UPLOAD_EMPTY",
  },
};

test("the key table has a row for every /api/v1 route", () => {
  const v1 = entryPointKeys().filter((k) => k.includes(" /api/v1/"));
  expect(Object.keys(KEY_EXPECTED).sort()).toEqual(v1.sort());
  expect(Object.keys(KEY_PROBES).sort()).toEqual(v1.sort());
});

for (const [key, row] of Object.entries(KEY_EXPECTED)) {
  test(`authorization matrix (API keys): ${key}`, async () => {
    const f = await getFixture();
    const probe = KEY_PROBES[key]!;
    const observed = {} as Record<KeyCaller, string>;
    for (const caller of KEY_ORDER) {
      const call = (row[caller] === "allowed" ? (probe.harmless ?? probe.attack) : probe.attack)(f);
      const secret = caller === "noKey" ? null : f.keys[caller].secret;
      // No Origin and no cookie: what a script sends.
      const res = await fetch(`${portal}${call.path}`, {
        method: key.split(" ")[0],
        redirect: "manual",
        headers: { ...(secret ? { authorization: `Bearer ${secret}` } : {}), ...call.headers },
        body: call.body,
      });
      const text = await res.text();
      let body: Record<string, unknown> | null = null;
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        body = null;
      }
      const problem = (res.headers.get("content-type") ?? "").startsWith("application/problem+json");
      if (probe.allowed(res.status, body, f)) observed[caller] = "allowed";
      else if (res.status === 401 && problem) observed[caller] = "sign-in";
      else if (res.status === 403 && problem && body?.code === "NOT_GRANTED") observed[caller] = "not-granted";
      else if (probe.notVisible ? probe.notVisible(res.status, body, f) : res.status === 404 && problem) observed[caller] = "not-visible";
      else observed[caller] = `unexpected: HTTP ${res.status} ${text.slice(0, 300)}`;
    }
    expect(observed, `${key}: expected (table) vs observed, per key`).toEqual(row);
  });
}
