import "server-only";
import { NextResponse, type NextRequest } from "next/server";
import { z } from "zod";
import type { Role } from "@/generated/prisma/enums";
import { AppError } from "./errors";
import { currentUser, type SessionUser } from "./auth/session";
import { logError } from "./log";

/** Problem-style JSON error body shared by every route. */
export function errorResponse(err: unknown): NextResponse {
  if (err instanceof z.ZodError) {
    const fields: Record<string, string> = {};
    for (const i of err.issues) fields[i.path.join(".") || "body"] ??= i.message;
    return NextResponse.json({ error: { code: "VALIDATION_FAILED", message: "The request has invalid fields.", fields } }, { status: 422 });
  }
  if (err instanceof AppError) {
    return NextResponse.json({ error: { code: err.code, message: err.userMessage, fields: err.fields, details: err.details } }, { status: err.status });
  }
  logError("route failed", err);
  return NextResponse.json({ error: { code: "INTERNAL", message: "Something went wrong on the server." } }, { status: 500 });
}

interface RouteOptions<S extends z.ZodType | undefined> {
  roles?: readonly Role[];
  body?: S;
}

type Params = Promise<Record<string, string | string[]>>;

/**
 * The one route wrapper: session and role check → JSON body validation → handler → errors mapped
 * (zod → 422, AppError → its status, anything else → 500 without internals).
 */
export function route<S extends z.ZodType | undefined = undefined>(
  opts: RouteOptions<S>,
  handler: (ctx: { req: NextRequest; user: SessionUser; body: S extends z.ZodType ? z.infer<S> : undefined; params: Record<string, string | string[]> }) => Promise<Response>,
) {
  return async (req: NextRequest, context: { params: Params }): Promise<Response> => {
    try {
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
