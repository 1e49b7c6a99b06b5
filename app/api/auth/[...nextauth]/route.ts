import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { authOptionsForRequest, SIGNIN_TENANT_COOKIE } from "@/lib/auth/options";

type Ctx = { params: Promise<{ nextauth: string[] }> };

// Options are built per request: the Microsoft provider points at the authority of the tenant the
// person chose on the sign-in page (a cookie), so one callback URL serves every onboarded tenant.
async function handler(req: NextRequest, ctx: Ctx) {
  const options = await authOptionsForRequest(req.cookies.get(SIGNIN_TENANT_COOKIE)?.value);
  return NextAuth(req as never, ctx as never, options) as Promise<Response>;
}

export { handler as GET, handler as POST };
