/**
 * Issue 10: served over HTTPS, next-auth sets every cookie with the `__Host-` prefix (Secure, Path=/,
 * no Domain), and the readers agree: getToken with the helper's name (what the auth route does) and
 * getServerSession (what currentUser does) both find the session; getToken's own default name would
 * not. Driven through next-auth's real handler on real PostgreSQL, as in sessions-and-limits.test.ts.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase } from "../support/db";

let dropDb: () => Promise<void>;
let dataDir: string;
const saved = { PORTAL_URL: process.env.PORTAL_URL, NEXTAUTH_URL: process.env.NEXTAUTH_URL };

beforeAll(async () => {
  const created = await createTestDatabase();
  dropDb = created.drop;
  process.env.DATABASE_URL = created.url;
  process.env.PORTAL_SECRET_KEY = randomBytes(32).toString("hex");
  dataDir = await mkdtemp(path.join(os.tmpdir(), "gmp-https-"));
  process.env.PORTAL_DATA_DIR = dataDir;
  process.env.PORTAL_URL = "https://mail.example.test";
  delete process.env.NEXTAUTH_URL; // authOptions() sets it from PORTAL_URL
});

afterAll(async () => {
  const { closeRateLimitPool } = await import("@/lib/rate-limit/store");
  const { db } = await import("@/lib/db");
  await closeRateLimitPool();
  await db().$disconnect();
  await dropDb();
  await rm(dataDir, { recursive: true, force: true });
  for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
});

interface SetCookie { name: string; value: string; attrs: string[] }

async function nextAuth(route: string[], opts: { method?: "GET" | "POST"; body?: Record<string, string>; cookies?: Record<string, string> } = {}) {
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
  const req = { query: { nextauth: route }, method: opts.method ?? "GET", body: { ...opts.body, json: "true" }, cookies: opts.cookies ?? {}, headers: { "x-forwarded-for": "203.0.113.9" } };
  await (NextAuth as unknown as (req: unknown, res: unknown, o: unknown) => Promise<void>)(req, res, authOptions());
  const set: SetCookie[] = (headers.get("set-cookie") ?? []).map((c) => {
    const [pair = "", ...attrs] = c.split(";").map((s) => s.trim());
    const eq = pair.indexOf("=");
    return { name: pair.slice(0, eq), value: decodeURIComponent(pair.slice(eq + 1)), attrs: attrs.map((a) => a.toLowerCase()) };
  });
  return { set, body: body as Record<string, string> | undefined };
}

it("over https every next-auth cookie is __Host- (Secure, Path=/, no Domain) and getToken/getServerSession read the session by the helper's name", async () => {
  const { db } = await import("@/lib/db");
  const { hashPassword } = await import("@/lib/auth/password");
  const { cookieNames } = await import("@/lib/auth/cookies");
  const names = cookieNames();
  const email = `https-${randomBytes(3).toString("hex")}@example.com`;
  const u = await db().user.create({ data: { email, name: "Https", role: "sender", passwordHash: await hashPassword("correct horse battery staple") } });

  const csrf = await nextAuth(["csrf"]);
  const jar: Record<string, string> = Object.fromEntries(csrf.set.map((c) => [c.name, c.value]));
  const signedIn = await nextAuth(["callback", "credentials"], { method: "POST", body: { email, password: "correct horse battery staple", csrfToken: csrf.body!.csrfToken!, callbackUrl: "/compose" }, cookies: jar });
  expect(new URL(signedIn.body!.url!).searchParams.get("error")).toBeNull();
  const all = [...csrf.set, ...signedIn.set];
  expect([...new Set(all.map((c) => c.name))].sort()).toEqual([names.callbackUrl, names.csrfToken, names.sessionToken].sort());
  for (const c of all) {
    expect(c.name).toMatch(/^__Host-next-auth\./);
    expect(c.attrs).toContain("secure");
    expect(c.attrs).toContain("path=/");
    expect(c.attrs.some((a) => a.startsWith("domain="))).toBe(false);
  }
  for (const c of signedIn.set) jar[c.name] = c.value;

  // The auth route's reader (getToken with the helper's cookie name) and currentUser's (getServerSession) agree.
  const { getToken } = await import("next-auth/jwt");
  const { deriveKey } = await import("@/lib/crypto");
  const secret = deriveKey("next-auth").toString("base64url");
  const req = { headers: {}, cookies: jar };
  expect(await getToken({ req: req as never, secret, cookieName: names.sessionToken })).toMatchObject({ uid: u.id, sv: 0 });
  // next-auth's default name over https is "__Secure-…": without the helper the session would be invisible.
  expect(await getToken({ req: req as never, secret, secureCookie: true })).toBeNull();
  const { getServerSession } = await import("next-auth");
  const { authOptions } = await import("@/lib/auth/options");
  const { userForSession } = await import("@/lib/auth/session");
  const session = await getServerSession(req as never, { getHeader: () => undefined, setHeader: () => undefined } as never, authOptions());
  expect(await userForSession(session)).toMatchObject({ id: u.id, email });
  const { isSessionCookie } = await import("@/lib/auth/cookies");
  expect(Object.keys(jar).filter((n) => isSessionCookie(n))).toEqual([names.sessionToken]);
});
