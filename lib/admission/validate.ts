import "server-only";
import type { z } from "zod";
import { AppError } from "../errors";

/**
 * Admission operations validate their own input with the forms' schema (lib/admission/schemas.ts), so
 * every caller — a server action, a route, a test — meets the same rules and the same per-field messages.
 */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) fields[issue.path.join(".") || "form"] ??= issue.message;
  throw new AppError("VALIDATION_FAILED", { userMessage: "Check the highlighted fields.", status: 422, fields });
}
