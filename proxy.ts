import { NextResponse, type NextRequest } from "next/server";
import { isSessionCookie } from "@/lib/auth/cookies";
import { incomingRequestId } from "@/lib/request-id";

/**
 * Two jobs, nothing else:
 * 1. A Content-Security-Policy with a fresh nonce on every response it matches (every page: they all
 *    render at request time, which is what lets Next put the nonce on its own scripts).
 * 2. Redirects people without a session cookie to sign-in; every page, action and route checks the
 *    session and role again where the data is (lib/auth).
 * It also gives each request an id (`X-Request-Id`, lib/request-id.ts) that the server's log lines carry.
 */
const PUBLIC = ["/sign-in", "/setup", "/api/auth", "/api/health", "/metrics"];

/**
 * The portal's CSP, after Next's guide (node_modules/next/dist/docs/01-app/02-guides/content-security-policy.md,
 * https://nextjs.org/docs/app/guides/content-security-policy): Next reads the nonce from the request's
 * `Content-Security-Policy` header and adds it to its framework scripts, page bundles and inline RSC
 * payload scripts; 'strict-dynamic' lets those scripts load the chunks they import. No inline script
 * without the nonce runs, so stored content can never execute in the portal's origin.
 */
function contentSecurityPolicy(nonce: string): string {
  const dev = process.env.NODE_ENV === "development";
  const https = (process.env.PORTAL_URL ?? "").startsWith("https:");
  return [
    "default-src 'self'",
    // `next dev` needs eval for React's debugging (rebuilt server error stacks); production never does.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // Inline styles are allowed: React `style={…}` props (progress bars, charts), the rich editor's
    // ProseMirror and sonner's injected <style> have no nonce. Styles cannot run code; scripts stay strict.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    // The message frames are `srcdoc` (they inherit this policy, and add their own, stricter one:
    // components/message-frame-doc.ts); nothing frames another origin.
    "frame-src 'self' blob: data:",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    // Every form posts to the portal itself. Microsoft sign-in is a fetch to /api/auth followed by
    // `window.location` navigation (next-auth/react's signIn), not a form, so the login host need not be listed.
    "form-action 'self'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

export function proxy(req: NextRequest) {
  const { pathname, search } = req.nextUrl;
  const isPublic = PUBLIC.some((p) => pathname === p || pathname.startsWith(`${p}/`));
  const hasSession = req.cookies.getAll().some((c) => isSessionCookie(c.name));
  if (!isPublic && !hasSession && !pathname.startsWith("/api/")) {
    const url = new URL("/sign-in", req.url);
    if (pathname !== "/") url.searchParams.set("callbackUrl", `${pathname}${search}`);
    return NextResponse.redirect(url);
  }

  const nonce = btoa(crypto.randomUUID());
  const csp = contentSecurityPolicy(nonce);
  const headers = new Headers(req.headers);
  const requestId = incomingRequestId(req.headers);
  headers.set("x-request-id", requestId);
  headers.set("x-nonce", nonce);
  headers.set("content-security-policy", csp);
  const res = NextResponse.next({ request: { headers } });
  res.headers.set("Content-Security-Policy", csp);
  // The id of this request in the server's log lines (lib/log.ts), for a support ticket.
  res.headers.set("X-Request-Id", requestId);
  return res;
}

// api/uploads and api/v1 (the REST API, whose uploads and inline attachments are large too) are left
// out: with a proxy match Next buffers (clones) the request body in memory and cuts it at 10 MB; those
// routes stream or read bodies themselves and check the session or key themselves. Their JSON answers
// need no CSP. _next/ and static files are not HTML either.
export const config = { matcher: ["/((?!_next/|api/uploads|api/v1/|favicon.svg|.*\\.(?:svg|png|ico|css|js)$).*)"] };
