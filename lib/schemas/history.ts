import { z } from "zod";
import { fieldErrors } from "../errors";
import { isEmail } from "./common";
import { DELIVERY_FILTERS, SEND_MODES, SEND_STATUSES, TEST_FILTERS } from "../glossary";

/**
 * Send history filters: one schema for the URL (the filter form submits with GET, so a view is a
 * shareable link), the list page, the export route and the chart. Browser-safe.
 */
// The labels live in lib/glossary.ts (one word per state on every screen); re-exported for the schema's users.
export { CHART_LABELS, CHART_SERIES, DELIVERY_FILTERS, DELIVERY_LABELS, MODE_LABELS, SEND_MODES, SEND_STATUSES, STATUS_LABELS, TEST_FILTERS, TEST_FILTER_LABELS } from "../glossary";

/** Empty form fields arrive as "": treat them as "not filtered". */
const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const opt = <T extends z.ZodType>(s: T) => z.preprocess(blank, s.optional());

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date like 2026-11-28.")
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), "That date does not exist.");

const address = z
  .string()
  .trim()
  .toLowerCase()
  .max(320, "An address has at most 320 characters.")
  .refine(isEmail, "Enter one email address, like hr@contoso.com.");

export const historyFilterSchema = z
  .object({
    status: opt(z.enum(SEND_STATUSES, "Choose a status from the list.")),
    mode: opt(z.enum(SEND_MODES, "Choose a mode from the list.")),
    delivery: opt(z.enum(DELIVERY_FILTERS, "Choose a delivery status from the list.")),
    tenant: opt(z.string().trim().max(64, "That tenant id is too long.").regex(/^[A-Za-z0-9_-]+$/, "That is not a tenant id.")),
    sender: opt(address),
    recipient: opt(address),
    /** The portal user who sent: their email. */
    actor: opt(address),
    /** The API key that sent: its name or display prefix. */
    key: opt(z.string().trim().max(100, "A key name has at most 100 characters.")),
    /** The SMTP device that sent: its username, name or id (the Devices page links with the id). */
    device: opt(z.string().trim().max(100, "A device name has at most 100 characters.")),
    from: opt(day),
    to: opt(day),
    q: opt(z.string().trim().max(200, "Search for at most 200 characters.")),
    /** The setup wizard's restriction tests: left out unless asked for ("include" them, or "only" them). */
    tests: opt(z.enum(TEST_FILTERS, "Choose whether to show setup wizard tests from the list.")),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { path: ["to"], message: "The end date is before the start date." });

export type HistoryFilter = z.infer<typeof historyFilterSchema>;

export const pageSchema = z.object({
  cursor: opt(z.string().max(200, "That page link is damaged.").regex(/^[A-Za-z0-9_-]+$/, "That page link is damaged.")),
  dir: opt(z.enum(["next", "prev"], "That page link is damaged.")),
});

export const exportFormatSchema = z.enum(["csv", "json"], "Choose csv or json.");

export const FILTER_KEYS = ["status", "mode", "delivery", "tenant", "sender", "recipient", "actor", "key", "device", "from", "to", "q", "tests"] as const;

/** Reads URL search params (Next's `searchParams` object or URLSearchParams) into a plain record. */
export function paramsRecord(input: URLSearchParams | Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  if (input instanceof URLSearchParams) {
    for (const [k, v] of input) out[k] ??= v;
  } else {
    for (const [k, v] of Object.entries(input)) {
      const first = Array.isArray(v) ? v[0] : v;
      if (typeof first === "string") out[k] = first;
    }
  }
  return out;
}

/** Field name → message, for the filter form (aria-describedby) and the export route's 422. */
export function filterErrors(error: z.ZodError): Record<string, string> {
  return fieldErrors(error.issues);
}

/** The query string of a filter (only the set fields), for links that keep the current view. */
export function filterQuery(f: Partial<Record<(typeof FILTER_KEYS)[number], string | undefined>>, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  for (const k of FILTER_KEYS) if (f[k]) p.set(k, f[k]);
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : "";
}

export const retentionSchema = z.object({
  tenantId: z.string().min(1, "Choose a tenant."),
  retentionDays: z.coerce
    .number({ error: "Enter a number of days." })
    .int("Enter a whole number of days.")
    .min(1, "Keep sends for at least 1 day.")
    .max(3650, "Keep sends for at most 3650 days (10 years)."),
  metadataOnly: z.preprocess((v) => v === "on" || v === "true" || v === true, z.boolean()),
});
