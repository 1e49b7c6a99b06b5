/**
 * Runs server code inside the request scope Next gives a route handler or a server action — the same
 * work store and request store Next's own adapter builds for a request (next/dist/server/web/adapter.js:
 * createWorkStore + createRequestStoreForAPI) — so `headers()`, `cookies()`, `revalidatePath()` and
 * next-auth's `getServerSession()` work for real outside a running Next server. Nothing is stubbed: the
 * session is a real next-auth JWT cookie, encoded with the portal's own secret, and `currentUser()` reads
 * it through next-auth and the database exactly as in production.
 *
 * These are Next internals (pinned Next version): if an upgrade moves them, this one file breaks loudly.
 * Import this module before anything that loads Next (next/server, lib/ …): Next's stores pick their
 * AsyncLocalStorage when first loaded, and node-environment-baseline must have provided it by then.
 */
import { createRequire } from "node:module";
import type { NextRequest } from "next/server";

const require_ = createRequire(import.meta.url);
// What a Next server process loads first: it makes Node's AsyncLocalStorage the one Next's stores use.
require_("next/dist/server/node-environment-baseline");
const { createRequestStoreForAPI } = require_("next/dist/server/async-storage/request-store") as {
  createRequestStoreForAPI: (req: NextRequest, url: URL, implicitTags: unknown, onUpdateCookies: (c: string[]) => void, previewProps: unknown) => object;
};
const { createWorkStore } = require_("next/dist/server/async-storage/work-store") as { createWorkStore: (ctx: unknown) => { incrementalCache?: unknown } };
const { workAsyncStorage } = require_("next/dist/server/app-render/work-async-storage.external") as { workAsyncStorage: { run<T>(store: unknown, fn: () => T): T } };
const { workUnitAsyncStorage } = require_("next/dist/server/app-render/work-unit-async-storage.external") as { workUnitAsyncStorage: { run<T>(store: unknown, fn: () => T): T } };
const { NextRequest: NextRequestClass } = require_("next/server") as { NextRequest: typeof NextRequest };

export const PORTAL = "http://localhost:3000";

/** Cookies for a signed-in user: a real next-auth session JWT (`uid` and session version `sv`, as lib/auth/options.ts's jwt callback writes). */
export async function sessionCookie(user: { id: string; email: string; name: string | null; sessionVersion: number }): Promise<string> {
  const { encode } = await import("next-auth/jwt");
  const { authOptions } = await import("@/lib/auth/options");
  const { cookieNames } = await import("@/lib/auth/cookies");
  const secret = authOptions().secret!;
  const token = await encode({ token: { uid: user.id, sv: user.sessionVersion, name: user.name, email: user.email, sub: user.id }, secret });
  return `${cookieNames().sessionToken}=${token}`;
}

/**
 * Calls `fn` as Next would while serving `req` (a route handler or a server action POST): `headers()` and
 * `cookies()` answer from `req`, `revalidatePath()` records its tags on the work store.
 */
export function inRequestScope<T>(req: NextRequest, fn: () => Promise<T>): Promise<T> {
  const requestStore = createRequestStoreForAPI(req, req.nextUrl, { tags: [], expirationsByCacheKind: new Map() }, () => undefined, undefined);
  const workStore = createWorkStore({
    page: req.nextUrl.pathname,
    renderOpts: {
      cacheLifeProfiles: {},
      staticPageGenerationTimeout: 0,
      cacheComponents: false,
      validationLevel: "warning",
      experimental: { isRoutePPREnabled: false, authInterrupts: false, useCacheTimeout: 0, durableUseCacheEntries: false },
      waitUntil: undefined,
      onClose: () => undefined,
      onAfterTaskError: undefined,
    },
    isPrefetchRequest: false,
    buildId: "fuzz",
    deploymentId: "",
    previouslyRevalidatedTags: [],
  });
  // revalidatePath() needs an incremental cache to exist on the store; it only records tags on it here.
  workStore.incrementalCache ??= {};
  return workAsyncStorage.run(workStore, () => workUnitAsyncStorage.run(requestStore, fn));
}

/** A request as a browser on the portal's own page sends it, with the given cookies. */
export function portalRequest(pathname: string, init: { method?: string; cookie?: string; headers?: Record<string, string>; body?: BodyInit | null } = {}): NextRequest {
  const headers: Record<string, string> = { origin: PORTAL, ...init.headers };
  if (init.cookie) headers.cookie = init.cookie;
  return new NextRequestClass(new URL(pathname, PORTAL), { method: init.method ?? "POST", headers, body: init.body ?? null });
}
