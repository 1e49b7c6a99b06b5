/**
 * Issue 10 (hardening): sessions end when they should, the last-admin rule holds under concurrency, and
 * sign-in and the first-run claim are rate-limited — on real PostgreSQL, through next-auth's own handler
 * (real CSRF, real JWT cookies, the real credentials provider). Nothing is mocked: the one vi.mock below
 * wraps argon2 hashing in a spy that still hashes, so the claim tests can tell whether it ran.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { RateLimiterRes } from "rate-limiter-flexible";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type * as PasswordModule from "@/lib/auth/password";
import { createTestDatabase } from "../support/db";

vi.mock("@/lib/auth/password", async (importOriginal) => {
  const real = await importOriginal<typeof PasswordModule>();
  return { ...real, hashPassword: vi.fn(real.hashPassword) };
});

let dropDb: () => Promise<void>;
let dataDir: string;

beforeAll(async () => {
  const created = await createTestDatabase();
  dropDb = created.drop;
  process.env.DATABASE_URL = created.url;
  process.env.PORTAL_SECRET_KEY = randomBytes(32).toString("hex");
  dataDir = await mkdtemp(path.join(os.tmpdir(), "gmp-sessions-"));
  process.env.PORTAL_DATA_DIR = dataDir;
  delete process.env.PORTAL_TRUST_PROXY; // the limits key on the last X-Forwarded-For entry
});

afterAll(async () => {
  const { closeRateLimitPool } = await import("@/lib/rate-limit/store");
  const { db } = await import("@/lib/db");
  await closeRateLimitPool();
  await db().$disconnect();
  await dropDb();
  await rm(dataDir, { recursive: true, force: true });
});

// ---- a browser's view of next-auth, driven through its own request handler ----

type Cookies = Record<string, string>;
const PASSWORD = "correct horse battery staple";
let ipCounter = 0;
/** A fresh client address per use (TEST-NET-3), so one test's counts never reach another's. */
const freshIp = () => `203.0.113.${++ipCounter}`;
const uniq = () => randomBytes(4).toString("hex");

/**
 * One request to next-auth's handler (its public pages-router form, the same AuthHandler the portal's
 * route uses): returns the cookies it set and, as the browser's signIn()/signOut() ask with json: "true",
 * the URL it would redirect to.
 */
async function nextAuth(route: string[], opts: { method?: "GET" | "POST"; body?: Record<string, string>; cookies?: Cookies; headers?: Record<string, string> } = {}) {
  const { default: NextAuth } = await import("next-auth");
  const { authOptions } = await import("@/lib/auth/options");
  const headers = new Map<string, string[]>();
  let body: unknown;
  const res = {
    status: () => res,
    getHeader: (k: string) => headers.get(k.toLowerCase()),
    setHeader: (k: string, v: string | string[]) => (headers.set(k.toLowerCase(), [v].flat()), res),
    end: () => undefined,
    json: (b: unknown) => void (body = b),
    send: (b: unknown) => void (body = b),
  };
  const req = { query: { nextauth: route }, method: opts.method ?? "GET", body: { ...opts.body, json: "true" }, cookies: opts.cookies ?? {}, headers: opts.headers ?? {} };
  await (NextAuth as unknown as (req: unknown, res: unknown, o: unknown) => Promise<void>)(req, res, authOptions());
  const cookies: Cookies = {};
  for (const c of headers.get("set-cookie") ?? []) {
    const [pair = ""] = c.split(";");
    const eq = pair.indexOf("=");
    cookies[pair.slice(0, eq)] = decodeURIComponent(pair.slice(eq + 1));
  }
  return { cookies, body: body as Record<string, string> | undefined };
}

async function csrf(): Promise<{ cookies: Cookies; token: string }> {
  const res = await nextAuth(["csrf"]);
  if (!Object.keys(res.cookies).some((n) => n.endsWith("csrf-token"))) throw new Error("next-auth set no CSRF cookie");
  return { cookies: res.cookies, token: res.body!.csrfToken! };
}

/** A local sign-in as the sign-in form posts it. `error` is what signIn() in the browser gets as res.error. */
async function signIn(email: string, password: string, ip: string): Promise<{ error: string | null; cookies: Cookies }> {
  const c = await csrf();
  const res = await nextAuth(["callback", "credentials"], {
    method: "POST",
    body: { email, password, csrfToken: c.token, callbackUrl: "/" },
    cookies: c.cookies,
    headers: { "x-forwarded-for": ip },
  });
  const error = res.body?.url ? new URL(res.body.url).searchParams.get("error") : "no redirect";
  return { error, cookies: { ...c.cookies, ...res.cookies } };
}

async function signOut(cookies: Cookies): Promise<void> {
  const c = await csrf();
  await nextAuth(["signout"], { method: "POST", body: { csrfToken: c.token }, cookies: { ...cookies, ...c.cookies } });
}

/** What currentUser() makes of a request carrying these cookies: getServerSession, then the user lookup. */
async function userFor(cookies: Cookies) {
  const { getServerSession } = await import("next-auth");
  const { authOptions } = await import("@/lib/auth/options");
  const { userForSession } = await import("@/lib/auth/session");
  const res = { getHeader: () => undefined, setHeader: () => undefined, setCookie: () => undefined };
  const session = await getServerSession({ headers: {}, cookies } as never, res as never, authOptions());
  return userForSession(session);
}

async function localUser(role: "admin" | "sender" | "auditor" = "sender") {
  const { db } = await import("@/lib/db");
  const { hashPassword } = await import("@/lib/auth/password");
  const email = `${role}-${uniq()}@example.com`;
  const u = await db().user.create({ data: { email, name: `Test ${role}`, role, passwordHash: await hashPassword(PASSWORD) }, select: { id: true, name: true, email: true, role: true, tenantId: true } });
  return u;
}

const sessionCookieName = (cookies: Cookies) => Object.keys(cookies).find((n) => n.endsWith("session-token"))!;

describe("session versions (real next-auth JWTs)", () => {
  it("sign-out ends every session of the person at once; an old cookie cannot end the next one", async () => {
    const u = await localUser();
    const laptop = await signIn(u.email, PASSWORD, freshIp());
    const phone = await signIn(u.email, PASSWORD, freshIp());
    expect(laptop.error).toBeNull();
    expect(await userFor(laptop.cookies)).toMatchObject({ id: u.id, email: u.email });
    expect(await userFor(phone.cookies)).toMatchObject({ id: u.id });

    await signOut(laptop.cookies);
    // The JWT itself is still well signed and unexpired: only the version makes it count no more.
    expect(await userFor(laptop.cookies)).toBeNull();
    expect(await userFor(phone.cookies)).toBeNull();

    const again = await signIn(u.email, PASSWORD, freshIp());
    expect(await userFor(again.cookies)).toMatchObject({ id: u.id });
    await signOut(laptop.cookies); // a stale cookie's sign-out bumps nothing
    expect(await userFor(again.cookies)).toMatchObject({ id: u.id });
  });

  it("a role change or disabling ends the person's sessions, and enabling again does not revive them", async () => {
    const { updateUser } = await import("@/lib/users/update-user");
    const admin = await localUser("admin");
    const u = await localUser("sender");
    const first = await signIn(u.email, PASSWORD, freshIp());
    expect(await userFor(first.cookies)).toMatchObject({ role: "sender" });

    await updateUser(admin, { userId: u.id, role: "auditor" });
    expect(await userFor(first.cookies)).toBeNull();
    const second = await signIn(u.email, PASSWORD, freshIp());
    expect(await userFor(second.cookies)).toMatchObject({ role: "auditor" });

    await updateUser(admin, { userId: u.id, disabled: true });
    expect(await userFor(second.cookies)).toBeNull();
    await updateUser(admin, { userId: u.id, disabled: false });
    expect(await userFor(second.cookies)).toBeNull();
    expect(await userFor((await signIn(u.email, PASSWORD, freshIp())).cookies)).toMatchObject({ id: u.id, role: "auditor" });
  });

  it("refuses a token without a session version (signed before the upgrade) and accepts the same token with the current one", async () => {
    const { encode } = await import("next-auth/jwt");
    const { deriveKey } = await import("@/lib/crypto");
    const { isCurrentSession } = await import("@/lib/auth/session");
    const u = await localUser();
    const name = sessionCookieName((await signIn(u.email, PASSWORD, freshIp())).cookies);
    const secret = deriveKey("next-auth").toString("base64url");
    const old = await encode({ token: { uid: u.id, email: u.email }, secret });
    const current = await encode({ token: { uid: u.id, email: u.email, sv: 0 }, secret });
    expect(await userFor({ [name]: old })).toBeNull();
    expect(await userFor({ [name]: current })).toMatchObject({ id: u.id });
    expect([isCurrentSession(3, 3), isCurrentSession("3", 3), isCurrentSession(undefined, 0), isCurrentSession(2, 3)]).toEqual([true, false, false, false]);
  });
});

describe("the last enabled admin (concurrent changes)", () => {
  it("10 pairs of admins demoting or disabling each other at the same moment always leave exactly one enabled admin", async () => {
    const { db } = await import("@/lib/db");
    const { updateUser } = await import("@/lib/users/update-user");
    for (let round = 0; round < 10; round++) {
      await db().user.updateMany({ where: { role: "admin" }, data: { role: "sender" } });
      const [a, b] = [await localUser("admin"), await localUser("admin")];
      const change = round % 2 === 0 ? { role: "sender" as const } : { disabled: true };
      const results = await Promise.allSettled([updateUser(a, { userId: b.id, ...change }), updateUser(b, { userId: a.id, ...change })]);
      expect(results.filter((r) => r.status === "fulfilled"), `round ${round}`).toHaveLength(1);
      const refused = results.find((r) => r.status === "rejected");
      // The loser waited for the lock, then found itself demoted (FORBIDDEN) or its target the last admin.
      expect(["FORBIDDEN", "LAST_ADMIN"], `round ${round}`).toContain((refused as PromiseRejectedResult).reason.code);
      expect(await db().user.count({ where: { role: "admin", disabled: false } }), `round ${round}`).toBe(1);
    }
  });
});

describe("sign-in limits (rate-limiter-flexible on PostgreSQL)", () => {
  it("refuses the 11th attempt for one account, even with the right password, and lets another account through", async () => {
    const { db } = await import("@/lib/db");
    const victim = await localUser();
    const other = await localUser();
    const ip = freshIp();
    for (let i = 0; i < 10; i++) expect((await signIn(victim.email, "wrong password", ip)).error).toBe("CredentialsSignin");

    const eleventh = await signIn(victim.email, PASSWORD, ip);
    expect(eleventh.error).toBe("Too many sign-in attempts. Try again in 15 minutes.");
    expect(sessionCookieName(eleventh.cookies)).toBeUndefined();
    // Per account: another address does not help …
    expect((await signIn(victim.email.toUpperCase(), PASSWORD, freshIp())).error).toMatch(/^Too many sign-in attempts\. Try again in \d+ minutes?\.$/);
    // … and another account from the same address is not held back.
    const ok = await signIn(other.email, PASSWORD, ip);
    expect(ok.error).toBeNull();
    expect(await userFor(ok.cookies)).toMatchObject({ id: other.id });

    const refusals = await db().auditEvent.findMany({ where: { action: "auth.sign-in-failed", target: victim.email } });
    expect(refusals.filter((e) => (e.after as { reason?: string }).reason === "wrong password")).toHaveLength(10);
    expect(refusals.filter((e) => (e.after as { reason?: string }).reason === "too many attempts")).toHaveLength(1); // once per window, not per attempt
  });

  it("counts parallel attempts atomically: of 30 wrong passwords at once, only 10 reach the password check", async () => {
    const { db } = await import("@/lib/db");
    const u = await localUser();
    const results = await Promise.all(Array.from({ length: 30 }, () => signIn(u.email, "wrong password", freshIp())));
    expect(results.filter((r) => r.error === "CredentialsSignin")).toHaveLength(10);
    expect(results.filter((r) => r.error?.startsWith("Too many sign-in attempts."))).toHaveLength(20);
    expect(await db().auditEvent.count({ where: { action: "auth.sign-in-failed", target: u.email, after: { path: ["reason"], equals: "wrong password" } } })).toBe(10);
  });

  it("refuses the 51st attempt from one address, whatever the account", async () => {
    const u = await localUser();
    const ip = freshIp();
    for (let batch = 0; batch < 5; batch++) {
      const results = await Promise.all(Array.from({ length: 10 }, () => signIn(`nobody-${uniq()}@example.com`, "guess", ip)));
      expect(results.map((r) => r.error)).toEqual(Array(10).fill("CredentialsSignin"));
    }
    expect((await signIn(u.email, PASSWORD, ip)).error).toBe("Too many sign-in attempts. Try again in 15 minutes.");
    expect((await signIn(u.email, PASSWORD, freshIp())).error).toBeNull();
  });

  it("counts failures only: successful sign-ins give their point back", async () => {
    const u = await localUser();
    const ip = freshIp();
    for (let i = 0; i < 12; i++) expect((await signIn(u.email, PASSWORD, ip)).error, `sign-in ${i + 1}`).toBeNull();
    for (let i = 0; i < 10; i++) expect((await signIn(u.email, "wrong password", ip)).error).toBe("CredentialsSignin");
    expect((await signIn(u.email, PASSWORD, ip)).error).toMatch(/^Too many sign-in attempts\./);
  });
});

describe("the client address the per-address limits count", () => {
  it("is counted from the right of X-Forwarded-For, never the first entry a client writes", async () => {
    const { clientIp } = await import("@/lib/rate-limit/client-ip");
    const xff = (v?: string) => (name: string) => (name === "x-forwarded-for" ? v : undefined);
    try {
      delete process.env.PORTAL_TRUST_PROXY; // reached directly: Next.js put the connection's address there
      expect(clientIp(xff("198.51.100.7"))).toBe("198.51.100.7");
      expect(clientIp(xff(undefined))).toBe("unknown");
      expect(clientIp(xff("192.0.2.1:5678"))).toBe("192.0.2.1");
      expect(clientIp(xff("::ffff:192.0.2.1"))).toBe("192.0.2.1");
      expect(clientIp(xff("[2001:db8:1:2:3:4:5:6]:443"))).toBe("2001:db8:1:2::/64");
      expect(clientIp(xff("2001:db8::1"))).toBe(clientIp(xff("2001:db8:0:0:ffff::9"))); // one /64, one key
      process.env.PORTAL_TRUST_PROXY = "1";
      expect(clientIp(xff("6.6.6.6, 198.51.100.7"))).toBe("198.51.100.7");
      process.env.PORTAL_TRUST_PROXY = "2";
      expect(clientIp(xff("6.6.6.6,198.51.100.7, 10.0.0.2"))).toBe("198.51.100.7");
      expect(clientIp(xff("10.0.0.2"))).toBe("unknown"); // did not come through both proxies
    } finally {
      delete process.env.PORTAL_TRUST_PROXY;
    }
  });
});

describe("first-run claim: cheap refusals first, then the limit, argon2 only for a valid code", () => {
  let code: string;
  beforeEach(async () => {
    const { db } = await import("@/lib/db");
    const { issueSetupCodeIfUnclaimed } = await import("@/lib/auth/setup-code");
    const { hashPassword } = await import("@/lib/auth/password");
    await db().user.updateMany({ where: { role: "admin" }, data: { role: "sender" } });
    code = (await issueSetupCodeIfUnclaimed())!;
    vi.mocked(hashPassword).mockClear();
  });

  const claimant = () => ({ name: "Ada", email: `ada-${uniq()}@example.com`, password: PASSWORD });

  it("refuses wrong codes without hashing, and an address's 11th attempt even with the right code", async () => {
    const { db } = await import("@/lib/db");
    const { claimPortal } = await import("@/lib/auth/claim-portal");
    const { hashPassword } = await import("@/lib/auth/password");
    const wrong = await Promise.allSettled(Array.from({ length: 12 }, () => claimPortal({ ...claimant(), code: "WRNG-CODE-XXXX-YYYY" }, { ip: freshIp() })));
    expect(wrong.map((r) => r.status === "rejected" && r.reason.code)).toEqual(Array(12).fill("SETUP_CODE_INVALID"));

    const ip = freshIp();
    for (let i = 0; i < 10; i++) await expect(claimPortal({ ...claimant(), code: "WRNG-CODE-XXXX-YYYY" }, { ip })).rejects.toMatchObject({ code: "SETUP_CODE_INVALID" });
    await expect(claimPortal({ ...claimant(), code }, { ip })).rejects.toMatchObject({
      code: "RATE_LIMITED",
      status: 429,
      userMessage: "Too many setup code attempts. Try again in 15 minutes.",
    });
    expect(await db().user.count({ where: { role: "admin" } })).toBe(0);
    expect(hashPassword).not.toHaveBeenCalled();

    await claimPortal({ ...claimant(), code }, { ip: freshIp() });
    expect(await db().user.count({ where: { role: "admin" } })).toBe(1);
    expect(hashPassword).toHaveBeenCalledTimes(1);
  });

  it("once claimed, 50 anonymous claims at once are refused without hashing", async () => {
    const { claimPortal } = await import("@/lib/auth/claim-portal");
    const { hashPassword } = await import("@/lib/auth/password");
    await claimPortal({ ...claimant(), code }, { ip: freshIp() });
    const ip = freshIp();
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => claimPortal({ ...claimant(), code }, { ip })));
    expect(results.map((r) => r.status === "rejected" && r.reason.code)).toEqual(Array(50).fill("ALREADY_CLAIMED"));
    expect(hashPassword).toHaveBeenCalledTimes(1);
  });
});

describe("the limiter on npm start's embedded database (PGlite)", () => {
  it("counts through several connections of one pool, where named prepared statements would collide", async () => {
    const { startEmbeddedDb } = await import("../../scripts/start/database");
    const { migrate } = await import("../../scripts/start/migrate");
    const { createLimiter, LIMITS } = await import("@/lib/rate-limit/limits");
    const { storeClient } = await import("@/lib/rate-limit/store");
    const dir = await mkdtemp(path.join(os.tmpdir(), "gmp-pglite-limits-"));
    const embedded = await startEmbeddedDb(dir);
    const pool = new pg.Pool({ connectionString: embedded.url, max: 4 });
    try {
      await migrate({ ...process.env, DATABASE_URL: embedded.url });
      const limiter = createLimiter("claimIp", storeClient(() => pool));
      const results = await Promise.allSettled(Array.from({ length: 14 }, () => limiter.consume("203.0.113.250")));
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(LIMITS.claimIp.points);
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      expect(refused).toHaveLength(4);
      for (const r of refused) expect(r.reason).toBeInstanceOf(RateLimiterRes); // refusals, not store errors
    } finally {
      await pool.end();
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
