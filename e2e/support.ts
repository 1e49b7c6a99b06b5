import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect, type Page } from "@playwright/test";
import { E2E } from "./env";

export const ADMIN = { name: "Ada Admin", email: "ada.admin@example.com", password: "correct horse battery staple" };

export async function readSetupCode(): Promise<string> {
  return (await readFile(path.join(E2E.dataDir, "setup-code"), "utf8")).trim();
}

export interface SandboxInfo {
  loginUrl: string;
  controlUrl: string;
  inboxUrl?: string;
  tenant: { id: string; domain: string };
  users: { upn: string; password: string; displayName?: string }[];
  mailboxes: { allowed: string; outsidePolicy: string; shared: string };
  /** The mail-enabled security group whose access policy scopes the demo app. */
  group: string;
}

export async function sandbox(): Promise<SandboxInfo> {
  return JSON.parse(await readFile(path.join(E2E.sandboxDir, "endpoints.json"), "utf8")) as SandboxInfo;
}

/** Signs in with a local portal account through the sign-in page, as a person does. */
export async function signInLocal(page: Page, who: { email: string; password: string } = ADMIN): Promise<void> {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
}

/**
 * Runs SQL directly on the end-to-end database, for tests that seed rows no page creates quickly
 * (e.g. thousands of sends for history). Local databases only.
 */
export async function e2eSql<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  const { default: pg } = await import("pg");
  const host = new URL(E2E.databaseUrl).hostname;
  if (!["127.0.0.1", "localhost", "::1"].includes(host)) throw new Error(`refusing a non-local e2e database: ${host}`);
  const client = new pg.Client({ connectionString: E2E.databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Creates a local (password) account with a role, so a test can sign in as a sender or an auditor. */
export async function createLocalUser(who: { email: string; name: string; password: string; role: "admin" | "sender" | "auditor" }): Promise<string> {
  const { hash } = await import("@node-rs/argon2");
  const id = `e2e${Math.random().toString(36).slice(2, 12)}`;
  // argon2id (the library default), with the portal's parameters (lib/auth/password.ts).
  const passwordHash = await hash(who.password, { memoryCost: 19456, timeCost: 2, parallelism: 1 });
  await e2eSql(`insert into "User"(id, email, name, role, "passwordHash", "updatedAt") values ($1, $2, $3, $4::"Role", $5, now())`, [id, who.email, who.name, who.role, passwordHash]);
  return id;
}

/** A file of random bytes in the test's output folder (never committed) and its SHA-256. */
export async function randomFile(dir: string, name: string, bytes: number): Promise<{ path: string; sha256: string }> {
  const { mkdir, writeFile } = await import("node:fs/promises");
  const { createHash, randomBytes } = await import("node:crypto");
  await mkdir(dir, { recursive: true });
  const data = randomBytes(bytes);
  const file = path.join(dir, name);
  await writeFile(file, data);
  return { path: file, sha256: createHash("sha256").update(data).digest("hex") };
}

/** Calls the sandbox's control API (faults, seed, messages) from a test, trusting the sandbox's CA. */
export async function sandboxControl<T = unknown>(p: string, body?: unknown): Promise<T> {
  const sb = (await sandbox()) as SandboxInfo & { caFile: string };
  const { request } = await import("node:https");
  const ca = await readFile(sb.caFile, "utf8");
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise<T>((resolve, reject) => {
    const req = request(`${sb.controlUrl}${p}`, { method: payload ? "POST" : "GET", ca, headers: payload ? { "content-type": "application/json" } : {} }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => ((res.statusCode ?? 500) < 300 ? resolve((text ? JSON.parse(text) : undefined) as T) : reject(new Error(`sandbox control ${p}: HTTP ${res.statusCode} ${text}`))));
    });
    req.on("error", reject);
    req.end(payload);
  });
}

/**
 * Grants a person (by their local account's address, or a user id) a sender mailbox of a tenant
 * (adding the mailbox when the tenant does not list it) — what an admin does on the Senders page, for
 * tests about something else. Tenants are matched by name.
 */
export async function grantMailbox(who: { email?: string; userId?: string }, tenantName: string, address: string): Promise<void> {
  const [t] = await e2eSql<{ id: string }>(`select id from "Tenant" where name = $1`, [tenantName]);
  if (!t) throw new Error(`no tenant named ${tenantName}`);
  const [u] = who.userId
    ? [{ id: who.userId }]
    : await e2eSql<{ id: string }>(`select id from "User" where lower(email) = lower($1) and "passwordHash" is not null`, [who.email]);
  if (!u) throw new Error(`no local user ${who.email}`);
  const rnd = () => `e2e${Math.random().toString(36).slice(2, 12)}`;
  await e2eSql(`insert into "SenderMailbox"(id, "tenantId", address) values ($1, $2, lower($3)) on conflict ("tenantId", address) do nothing`, [rnd(), t.id, address]);
  const [m] = await e2eSql<{ id: string }>(`select id from "SenderMailbox" where "tenantId" = $1 and address = lower($2)`, [t.id, address]);
  await e2eSql(`insert into "SenderGrant"(id, "mailboxId", "userId") values ($1, $2, $3) on conflict do nothing`, [rnd(), m!.id, u.id]);
}

/**
 * Invites a Microsoft user (by UPN) to the sandbox tenant "Sandbox (Contoso demo)" with a role, as an admin
 * does on Settings → Users, so their first Microsoft sign-in admits them whatever the tenant's admission mode.
 */
export async function inviteMicrosoftUser(upn: string, role: "admin" | "sender" | "auditor" = "sender"): Promise<void> {
  const id = `e2einv${Math.random().toString(36).slice(2, 12)}`;
  const rows = await e2eSql(
    `insert into "Invitation"(id, "tenantId", email, role, "expiresAt")
     select $1, id, lower($2), $3::"Role", now() + interval '1 day' from "Tenant" where name = 'Sandbox (Contoso demo)' returning id`,
    [id, upn, role],
  );
  if (rows.length !== 1) throw new Error(`no tenant named "Sandbox (Contoso demo)" to invite ${upn} to`);
}
