import { NextResponse, type NextRequest } from "next/server";

/**
 * Only redirects people without a session cookie to sign-in; every page, action and route checks the
 * session and role again where the data is (lib/auth).
 */
const PUBLIC = ["/sign-in", "/setup", "/api/auth", "/api/health"];

export function proxy(req: NextRequest) {
  const { pathname, search } = req.nextUrl;
  if (PUBLIC.some((p) => pathname === p || pathname.startsWith(`${p}/`))) return NextResponse.next();
  const hasSession = req.cookies.getAll().some((c) => c.name.endsWith("next-auth.session-token"));
  if (hasSession || pathname.startsWith("/api/")) return NextResponse.next();
  const url = new URL("/sign-in", req.url);
  if (pathname !== "/") url.searchParams.set("callbackUrl", `${pathname}${search}`);
  return NextResponse.redirect(url);
}

// api/uploads is left out: with a proxy match Next buffers (clones) the request body in memory and cuts
// it at 10 MB; the upload route streams attachments to disk and checks the session itself.
export const config = { matcher: ["/((?!_next/|api/uploads|favicon.svg|.*\\.(?:svg|png|ico|css|js)$).*)"] };
