import "server-only";
import type { z } from "zod";
import { AppError, fieldErrors } from "./errors";

/**
 * For lib operations that validate their own input with the forms' schema, so every caller — a server
 * action, a route, a test — meets the same rules and messages: the parsed value, or a 422 AppError naming
 * each field. `fallback` names the field of path-less issues; `summary: "first"` makes the first field's
 * message the overall one (single-field forms), else "Check the highlighted fields.".
 */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown, opts: { fallback?: string; summary?: "first" } = {}): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const fields = fieldErrors(parsed.error.issues, opts.fallback);
  const userMessage = (opts.summary === "first" ? Object.values(fields)[0] : undefined) ?? "Check the highlighted fields.";
  throw new AppError("VALIDATION_FAILED", { userMessage, status: 422, fields });
}
