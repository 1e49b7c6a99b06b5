/**
 * Issue 10, bad input: local sign-in and the first-run claim — the anonymous doors.
 *
 * Sign-in goes through the portal's real next-auth route (app/api/auth/[...nextauth]/route.ts) with real
 * Request objects inside Next's request scope: a real CSRF token and cookie, the real credentials
 * provider, the real PostgreSQL rate limiter. The credentials provider's `authorize` is also handed wrong
 * JSON types directly (a form post can only carry strings). The claim is the real server action. 1,000+
 * generated inputs each. Hostile and wrong-type inputs fail before argon2; only schema-valid ones pay
 * for a hash (a small share), so each property stays short.
 *
 * Property: sign-in answers "wrong email or password" (CredentialsSignin) or "too many attempts", never
 * the server-error message, and signs in only with the right password; the claim answers a field error
 * or a 4xx code, and creates the admin (with its audit event, consuming the code) only with the right code.
 * Rows: only the audit trail and the rate-limit counters may change on a refusal.
 */
import { inRequestScope, PORTAL, portalRequest } from "../support/next-scope";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPortalEnv, type PortalEnv } from "../support/portal-env";
import { delta, expectFieldRefusal, fc, formData, formValue, holds, hostileAddress, hostileJson, hostileString, rowCounts, show, type ActionStateLike } from "./support";

let penv: PortalEnv;
const PASSWORD = "correct horse battery staple";
let userEmail: string;

beforeAll(async () => {
  process.env.PORTAL_URL = PORTAL;
  delete process.env.PORTAL_TRUST_PROXY; // the limits key on the last X-Forwarded-For entry
  penv = await startPortalEnv("fuzz-auth");
  const { db } = await import("@/lib/db");
  const { hashPassword } = await import("@/lib/auth/password");
  userEmail = "sam.sender@example.com";
  await db().user.create({ data: { email: userEmail, name: "Sam Sender", role: "sender", passwordHash: await hashPassword(PASSWORD) } });
});

afterAll(async () => {
  const { closeRateLimitPool } = await import("@/lib/rate-limit/store");
  await closeRateLimitPool();
  await penv?.close();
});

/** Only the audit trail and rate-limit counters move on a refused attempt. */
function expectOnlyBookkeeping(d: Record<string, number>, ctx: string) {
  for (const [table, n] of Object.entries(d)) {
    expect(["AuditEvent", "counters"], `${ctx}: ${table} changed by ${n}`).toContain(table);
    expect(n, ctx).toBeGreaterThan(0);
    expect(n, ctx).toBeLessThanOrEqual(2);
  }
}

const ip = fc.oneof(
  { weight: 6, arbitrary: fc.ipV4() },
  { weight: 2, arbitrary: fc.ipV6() },
  { weight: 1, arbitrary: fc.constantFrom("203.0.113.7", "203.0.113.7:443", "[2001:db8::1]:80", "unknown", "", "1.1.1.1, 2.2.2.2", "not-an-ip", "999.999.999.999", "x".repeat(500)) },
  { weight: 1, arbitrary: hostileString },
);

function headerSafe(v: string): string | undefined {
  try {
    new Headers({ "x-forwarded-for": v });
    return v;
  } catch {
    return undefined; // a value no HTTP client can send (CR, LF, NUL, non-Latin-1)
  }
}

describe("local sign-in through the real next-auth route with 1,000 generated attempts", () => {
  it("answers wrong credentials or too many attempts, never a server error, and signs in only with the right password", async () => {
    const { GET, POST } = await import("@/app/api/auth/[...nextauth]/route");
    const { db } = await import("@/lib/db");
    type Handler = (req: never, ctx: { params: Promise<{ nextauth: string[] }> }) => Promise<Response>;
    const call = async (h: Handler, path: string[], init: Parameters<typeof portalRequest>[1]) => {
      const req = portalRequest(`/api/auth/${path.join("/")}`, init);
      return inRequestScope(req, () => h(req as never, { params: Promise.resolve({ nextauth: path }) }));
    };
    // One CSRF token and cookie for every attempt, as one open sign-in page would post them.
    const csrfRes = await call(GET as Handler, ["csrf"], { method: "GET" });
    const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
    const sessionName = (await import("@/lib/auth/cookies")).cookieNames().sessionToken;
    const csrfCookie = csrfRes.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");

    // Schema-valid addresses (the only ones that pay for argon2) are a small share; the real account mostly
    // gets its right password, so successes happen before its failures reach the account limit (10 per 15 min).
    const attempt = fc.oneof(
      { weight: 1, arbitrary: fc.record({ email: fc.constantFrom(userEmail, ` ${userEmail.toUpperCase()} `), password: fc.oneof({ weight: 4, arbitrary: fc.constant(PASSWORD) }, { weight: 1, arbitrary: hostileString }) }) },
      { weight: 1, arbitrary: fc.record({ email: fc.emailAddress(), password: fc.oneof(fc.constant(PASSWORD), hostileString) }) },
      { weight: 18, arbitrary: fc.record({ email: fc.oneof(hostileAddress, hostileString), password: fc.oneof(fc.constant(PASSWORD), hostileString) }) },
    ).chain((a) => fc.record({ email: fc.constant(a.email), password: fc.constant(a.password), repeated: fc.boolean(), ip: ip.map(headerSafe) }));
    let signedIn = 0;
    let wrong = 0;
    let limited = 0;
    await holds("sign-in", attempt, async ({ email, password, repeated, ip: xff }) => {
      const ctx = show({ email, password: password === PASSWORD ? "<right>" : password, repeated, xff });
      const body = new URLSearchParams({ email, password, csrfToken, callbackUrl: "/", json: "true" });
      if (repeated) body.append("email", "other@example.com");
      const before = await rowCounts();
      const res = await call(POST as Handler, ["callback", "credentials"], {
        cookie: csrfCookie,
        headers: { "content-type": "application/x-www-form-urlencoded", ...(xff !== undefined ? { "x-forwarded-for": xff } : {}) },
        body: body.toString(),
      });
      expect(res.status, ctx).toBeLessThan(500);
      const { url } = (await res.json()) as { url?: string };
      const error = url ? new URL(url).searchParams.get("error") : "no url";
      const d = delta(before, await rowCounts());
      const sessionSet = res.headers.getSetCookie().some((c) => c.startsWith(`${sessionName}=`));
      if (error === null) {
        // Signed in: only the right password for the right account, never a look-alike address.
        signedIn++;
        expect(sessionSet, ctx).toBe(true);
        expect(password, ctx).toBe(PASSWORD);
        expect(email.trim().toLowerCase(), ctx).toBe(userEmail);
        expect(d.AuditEvent, ctx).toBe(1);
        expect((await db().auditEvent.findFirstOrThrow({ orderBy: { at: "desc" } })).action, ctx).toBe("auth.signed-in");
        return;
      }
      expect(sessionSet, ctx).toBe(false);
      if (error === "CredentialsSignin") wrong++;
      else {
        limited++;
        expect(error, ctx).toMatch(/^Too many sign-in attempts\. Try again in \d+ minutes?\.$/);
      }
      expectOnlyBookkeeping(d, ctx);
    });
    expect(signedIn).toBeGreaterThan(5);
    expect(wrong).toBeGreaterThan(500);
    expect(limited).toBeGreaterThan(0); // the account limit was reached along the way and held
  }, 400_000);

  it("the credentials provider's authorize returns null (never throws) for 1,000 wrong-type inputs", async () => {
    const { authOptions } = await import("@/lib/auth/options");
    const provider = authOptions().providers.find((p) => p.id === "credentials") as unknown as { options: { authorize: (raw: unknown, req: unknown) => Promise<unknown> } };
    const raw = fc.oneof(
      fc.record({ email: hostileJson, password: hostileJson }, { requiredKeys: [] }),
      fc.record({ email: fc.constant(userEmail), password: fc.oneof(fc.integer(), fc.constant(null), fc.array(fc.constant(PASSWORD)), fc.constant({ toString: () => PASSWORD })) }),
      hostileJson,
    );
    await holds("authorize-types", raw, async (input) => {
      const ctx = show(input);
      const before = await rowCounts();
      await expect(provider.options.authorize(input, { headers: { "x-forwarded-for": "198.51.100.9" } }), ctx).resolves.toBeNull();
      // A wrong type fails the schema before any count; a string pair that happens to parse is counted and audited.
      expectOnlyBookkeeping(delta(before, await rowCounts()), ctx);
    });
  }, 400_000);
});

describe("the first-run claim with 1,000 generated forms", () => {
  it("creates the first admin only with the right code, else a field error or a 4xx code with nothing but bookkeeping saved", async () => {
    const { claimPortalAction } = await import("@/app/(portal)/setup/actions");
    const { issueSetupCodeIfUnclaimed } = await import("@/lib/auth/setup-code");
    const { db } = await import("@/lib/db");
    let code = (await issueSetupCodeIfUnclaimed())!;
    const good = (len: number) => fc.string({ minLength: len, maxLength: len + 20 }).filter((s) => s.trim().length >= len);
    const form = fc.record({
      code: fc.oneof({ weight: 1, arbitrary: fc.constantFrom("right", "right-lower", "right-spaced") }, { weight: 4, arbitrary: formValue() }, { weight: 1, arbitrary: fc.stringMatching(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/) }),
      name: fc.oneof({ weight: 3, arbitrary: good(1) }, { weight: 1, arbitrary: formValue() }),
      email: fc.oneof({ weight: 3, arbitrary: fc.emailAddress() }, { weight: 1, arbitrary: formValue(hostileAddress) }),
      password: fc.oneof({ weight: 3, arbitrary: fc.constant(PASSWORD) }, { weight: 1, arbitrary: formValue() }, { weight: 1, arbitrary: fc.constantFrom("short", "x".repeat(257)) }),
      confirm: fc.oneof({ weight: 3, arbitrary: fc.constant("same") }, { weight: 1, arbitrary: formValue() }),
      ip: ip.map(headerSafe),
    });
    let claimed = 0;
    await holds("claim", form, async ({ ip: xff, ...f }) => {
      const fields = {
        ...f,
        code: f.code === "right" ? code : f.code === "right-lower" ? code.toLowerCase() : f.code === "right-spaced" ? ` ${code.replace(/-/g, " ")} ` : f.code,
        confirm: f.confirm === "same" ? f.password : f.confirm,
      };
      const ctx = show({ ...fields, xff });
      const before = await rowCounts();
      const req = portalRequest("/setup", { headers: xff !== undefined ? { "x-forwarded-for": xff } : {} });
      const state = (await inRequestScope(req, () => claimPortalAction({ status: "idle" } as never, formData(fields)))) as ActionStateLike;
      const d = delta(before, await rowCounts());
      if (state.status === "ok") {
        claimed++;
        expect(d.User, ctx).toBe(1);
        expect(d.AuditEvent, ctx).toBe(1);
        const admin = await db().user.findFirstOrThrow({ where: { role: "admin" } });
        expect(admin.email, ctx).toBe(String(fields.email).trim().toLowerCase());
        expect((await db().setupCode.findUniqueOrThrow({ where: { id: 1 } })).usedAt, ctx).not.toBeNull();
        // Back to unclaimed for the next runs: the admin steps down and a new code is issued.
        await db().user.update({ where: { id: admin.id }, data: { role: "sender" } });
        code = (await issueSetupCodeIfUnclaimed())!;
        return;
      }
      expectFieldRefusal(state, ["code", "name", "email", "password", "confirm"], ctx);
      expectOnlyBookkeeping(d, ctx);
      expect(d.User ?? 0, ctx).toBe(0);
    });
    expect(claimed).toBeGreaterThan(5);
  }, 400_000);
});
