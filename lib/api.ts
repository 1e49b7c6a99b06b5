import "server-only";
import { NextResponse, type NextRequest } from "next/server";
import { z } from "zod";
import type { Role } from "@/generated/prisma/enums";
import { AppError, fieldErrors } from "./errors";
import { currentUser, type SessionUser } from "./auth/session";
import { env } from "./env";
import { logError } from "./log";
import { currentRequestId } from "./request-context";

/** Problem-style JSON error body shared by every route. */
export function errorResponse(err: unknown): NextResponse {
  if (err instanceof z.ZodError) {
    const fields = fieldErrors(err.issues, "body");
    return NextResponse.json({ error: { code: "VALIDATION_FAILED", message: "The request has invalid fields.", fields } }, { status: 422 });
  }
  if (err instanceof AppError) {
    return NextResponse.json({ error: { code: err.code, message: err.userMessage, fields: err.fields, details: err.details } }, { status: err.status });
  }
  void currentRequestId().then((requestId) => logError("route failed", err, { requestId }));
  return NextResponse.json({ error: { code: "INTERNAL", message: "Something went wrong on the server." } }, { status: 500 });
}

const SAFE_METHODS = new Set(["GET", "HEAD"]);

/**
 * Refuses a state-changing request that a page of another origin could have sent with the person's
 * cookies (CSRF): every method but GET and HEAD must carry `Origin` equal to the portal's own origin
 * (PORTAL_URL), or, when a browser sent no Origin, `Sec-Fetch-Site: same-origin`. The request's Host
 * header is never trusted on its own: another port or subdomain of the same site is another origin, and
 * `Origin: null` (sandboxed frames, some redirects) is refused too.
 * Browsers send Origin on every non-GET/HEAD fetch, XMLHttpRequest and form post
 * (https://fetch.spec.whatwg.org/#origin-header), which is why Referrer-Policy must never be `no-referrer`
 * (next.config.js): it turns a same-origin form post's Origin into `null`.
 *
 * A future `/api/v1` authenticated by `Authorization: Bearer <key>` (scripts, devices) is exempt from
 * this rule: it carries no cookies, so a forged cross-site request has no credentials to ride on. It must
 * refuse cookie sessions instead of falling back to them.
 */
export function assertSameOrigin(req: Request): void {
  if (SAFE_METHODS.has(req.method.toUpperCase())) return;
  const portal = new URL(env().PORTAL_URL).origin;
  const origin = req.headers.get("origin");
  if (origin !== null ? origin === portal : req.headers.get("sec-fetch-site") === "same-origin") return;
  throw new AppError("CROSS_ORIGIN", {
    userMessage: `This request did not come from the portal's own pages (${portal}), so it was refused. Open the portal at that address and try again.`,
    status: 403,
    details: { origin: origin ?? undefined },
  });
}

/** Refuses a JSON route's body unless it is declared `application/json` (a plain form cannot send that cross-site). */
export function assertJsonContentType(req: Request): void {
  const type = req.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type === "application/json") return;
  throw new AppError("UNSUPPORTED_MEDIA_TYPE", { userMessage: "Send the request body as JSON with `Content-Type: application/json`.", status: 415 });
}

interface RouteOptions<S extends z.ZodType | undefined> {
  roles?: readonly Role[];
  /** Validates the JSON body and hands it to the handler (implies `json`). */
  body?: S;
  /** The handler reads `req.json()` itself: require `Content-Type: application/json`. */
  json?: boolean;
}

type Params = Promise<Record<string, string | string[]>>;

/**
 * The one route wrapper, for cookie-session routes: same origin for anything but GET/HEAD → JSON
 * content type on JSON routes → session and role → JSON body validation → handler → errors mapped
 * (zod → 422, AppError → its status, anything else → 500 without internals). The origin is checked first
 * so a forged request costs no session lookup and learns nothing about the person's session.
 */
export function route<S extends z.ZodType | undefined = undefined>(
  opts: RouteOptions<S>,
  handler: (ctx: { req: NextRequest; user: SessionUser; body: S extends z.ZodType ? z.infer<S> : undefined; params: Record<string, string | string[]> }) => Promise<Response>,
) {
  return async (req: NextRequest, context: { params: Params }): Promise<Response> => {
    try {
      assertSameOrigin(req);
      if (opts.json || opts.body) assertJsonContentType(req);
      const user = await currentUser();
      if (!user) throw new AppError("UNAUTHENTICATED", { userMessage: "Sign in to continue.", status: 401 });
      if (opts.roles && !opts.roles.includes(user.role)) {
        throw new AppError("FORBIDDEN", { userMessage: "Your role does not allow this.", status: 403 });
      }
      let body: unknown = undefined;
      if (opts.body) {
        let json: unknown;
        try {
          json = await req.json();
        } catch {
          throw new AppError("INVALID_JSON", { userMessage: "The request body is not valid JSON.", status: 400 });
        }
        body = opts.body.parse(json);
      }
      const params = (await context.params) ?? {};
      return await handler({ req, user, body: body as never, params });
    } catch (err) {
      return errorResponse(err);
    }
  };
}
