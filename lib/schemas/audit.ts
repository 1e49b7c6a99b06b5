import { z } from "zod";

/**
 * Audit trail filters: one schema for the URL (the filter form submits with GET), the list page and the
 * export route. Every message names its field, so a bad link shows what to fix instead of failing.
 * Browser-safe. paramsRecord and filterErrors are shared with history (lib/schemas/history.ts).
 */
export { filterErrors, paramsRecord } from "./history";

/**
 * Free text as typed, on one line: control characters (a pasted tab or line break, or a NUL from a
 * crafted link, which PostgreSQL text cannot even hold) become single spaces.
 */
const text = (field: string) =>
  z
    .string(`${field}: enter some text.`)
    .max(200, `${field}: enter at most 200 characters.`)
    .transform((v) => v.replace(/[\p{Cc}\s]+/gu, " ").trim());

/** Empty form fields arrive as "": treat them as "not filtered". */
const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const opt = <T extends z.ZodType>(s: T) => z.preprocess(blank, s.optional());

const day = (field: string) =>
  z
    .string(`Enter the ${field} as a date like 2026-11-28.`)
    .regex(/^\d{4}-\d{2}-\d{2}$/, `Enter the ${field} as a date like 2026-11-28.`)
    .refine(
      (v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v),
      `The ${field} does not exist on the calendar.`,
    );

/** An action name ("user.updated") or a prefix ending in * ("tenant.*", every tenant action). */
export const ACTION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}\*?$/;

export const auditFilterSchema = z
  .object({
    action: opt(
      z
        .string("Choose an action from the list.")
        .trim()
        .regex(ACTION_PATTERN, "Action: choose one from the list, or a prefix ending in *, like tenant.*"),
    ),
    /** Who acted: part of their name or email ("system" also finds events with no person behind them). */
    actor: opt(text("Actor")),
    tenant: opt(
      z
        .string("Choose a tenant from the list.")
        .trim()
        .max(64, "Tenant: that tenant id is too long.")
        .regex(/^[A-Za-z0-9_-]+$/, "Tenant: choose a tenant from the list."),
    ),
    from: opt(day("start date")),
    to: opt(day("end date")),
    /** Words in the target or the action name, as typed (not a pattern). */
    q: opt(text("Search")),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { path: ["to"], message: "The end date is before the start date." });

export type AuditFilter = z.infer<typeof auditFilterSchema>;

export const auditPageSchema = z.object({
  cursor: opt(
    z
      .string("That page link is damaged.")
      .max(200, "That page link is damaged. Start again from the first page.")
      .regex(/^[A-Za-z0-9_-]+$/, "That page link is damaged. Start again from the first page."),
  ),
  dir: opt(z.enum(["next", "prev"], "That page link is damaged. Start again from the first page.")),
});

export const AUDIT_FILTER_KEYS = ["action", "actor", "tenant", "from", "to", "q"] as const;

/** The query string of a filter (only the set fields), for links that keep the current view. */
export function auditQuery(
  f: Partial<Record<(typeof AUDIT_FILTER_KEYS)[number], string | undefined>>,
  extra: Record<string, string> = {},
): string {
  const p = new URLSearchParams();
  for (const k of AUDIT_FILTER_KEYS) if (f[k]) p.set(k, f[k]);
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : "";
}
