/**
 * The portal's one error type. `userMessage` is safe to show; anything else stays in the server log.
 * Graph errors keep Microsoft's `code` and `request-id` for support (see lib/graph).
 */
export interface AppErrorOptions {
  userMessage: string;
  status?: number;
  /** Per-field messages for forms (field name → message). */
  fields?: Record<string, string>;
  /** Extra facts for support: Graph code, request-id, AADSTS number … */
  details?: Record<string, string | number | undefined>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: string;
  readonly userMessage: string;
  readonly status: number;
  readonly fields?: Record<string, string>;
  readonly details?: Record<string, string | number | undefined>;

  constructor(code: string, opts: AppErrorOptions) {
    super(`${code}: ${opts.userMessage}`, { cause: opts.cause });
    this.name = "AppError";
    this.code = code;
    this.userMessage = opts.userMessage;
    this.status = opts.status ?? 400;
    this.fields = opts.fields;
    this.details = opts.details;
  }
}

export const unauthorized = () =>
  new AppError("UNAUTHENTICATED", { userMessage: "Sign in to continue.", status: 401 });

export const forbidden = (what = "do this") =>
  new AppError("FORBIDDEN", { userMessage: `Your role does not allow you to ${what}.`, status: 403 });

export const notFound = (what: string) =>
  new AppError("NOT_FOUND", { userMessage: `${what} was not found.`, status: 404 });

/**
 * Field name → first message, from zod's issues: the one mapping behind every per-field error (forms,
 * route handlers, lib operations). An issue without a path belongs to `fallback`.
 */
export function fieldErrors(issues: readonly { path: readonly PropertyKey[]; message: string }[], fallback = "form"): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const i of issues) fields[i.path.map(String).join(".") || fallback] ??= i.message;
  return fields;
}
