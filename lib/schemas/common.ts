import { z } from "zod";
import type { Cloud } from "@/generated/prisma/enums";
import { isEmail } from "./rules";

/**
 * One definition of each rule the UI and the server share (browser-safe): an email address, a
 * directory (tenant) id, the cloud list, and Exchange Online's limits. Forms, route handlers, the
 * wizard, the tenants file and the sandbox-facing code all use these, so they never disagree.
 */

export { EXCHANGE_LIMITS, isEmail, isStorableText, UNSTORABLE_MESSAGE } from "./rules";

/** A trimmed, lower-cased email address; `message` names the field. */
export const emailSchema = (message = "Enter an email address such as adele.vance@contoso.com") =>
  z.string({ error: message }).trim().toLowerCase().max(254, "An email address has at most 254 characters").refine(isEmail, message);

/**
 * The id of a portal record (tenant, user, invitation …) as forms and routes pass it: Prisma's cuids are
 * letters and digits, so anything else — NUL, which PostgreSQL refuses with an error, spaces, quotes — is
 * refused here with the field's name instead of reaching the database.
 */
export const recordIdSchema = (label: string) =>
  z
    .string({ error: `${label} is missing` })
    .trim()
    .min(1, `${label} is missing`)
    .max(64, `${label} is not valid`)
    .regex(/^[A-Za-z0-9_-]+$/, `${label} is not valid`);

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A directory (tenant) id, application (client) id or object id: a GUID. */
export const isGuid = (v: string): boolean => GUID.test(v);

// A DNS name with at least two labels (contoso.onmicrosoft.com, contoso.com); no scheme, path or port.
const DOMAIN = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/i;

/** What identifies a tenant before verification: its directory id (GUID) or one of its verified domains. */
export const isDirectoryId = (v: string): boolean => GUID.test(v) || DOMAIN.test(v);

/** The Microsoft clouds a tenant can live in (hosts in lib/tenants/clouds.ts). */
export const CLOUD_IDS = ["global", "usgov", "usgovdod", "china", "sandbox"] as const satisfies readonly Cloud[];
