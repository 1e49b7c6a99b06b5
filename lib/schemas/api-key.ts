import { z } from "zod";
import { recordIdSchema } from "./common";

/** The keys page's "Create key" form (browser-safe: the form and lib/api-keys/create-key.ts share it). */
const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export const createApiKeySchema = z.object({
  tenantId: recordIdSchema("The tenant"),
  name: z
    .string({ error: "Name the key" })
    .trim()
    .min(1, "Name the key (for example: nightly-welcome-script)")
    .max(100, "A key name has at most 100 characters")
    .regex(/^[^\u0000-\u001f\u007f<>]+$/, "A key name is one line without < or >"),
  /** Sender mailbox ids the key may send as (SenderGrant rows). */
  mailboxIds: z
    .union([z.string(), z.array(z.string())], { error: "Grant the key at least one mailbox" })
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .pipe(z.array(z.string().min(1).max(64)).min(1, "Grant the key at least one mailbox").max(100, "At most 100 mailboxes per key")),
  /** Comma, space or line separated; empty means any domain. */
  allowedDomains: z.preprocess(
    (v) => (typeof v === "string" ? v.split(/[\s,;]+/).map((d) => d.trim().toLowerCase().replace(/^@/, "")).filter(Boolean) : v ?? []),
    z.array(z.string().regex(DOMAIN, "Enter domains such as contoso.com, separated by commas")).max(50, "At most 50 domains"),
  ),
  maxMessageMb: z.preprocess(blank, z.coerce.number({ error: "Enter a size in MB" }).int("Enter a whole number of MB").min(1, "At least 1 MB").max(150, "At most 150 MB (Graph's limit)").optional()),
  ratePerMinute: z.preprocess(blank, z.coerce.number({ error: "Enter messages per minute" }).int("Enter a whole number").min(1, "At least 1 per minute").max(600, "At most 600 per minute").default(30)),
  expiresAt: z.preprocess(
    blank,
    z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date like 2027-06-30")
      .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), "That date does not exist")
      .refine((v) => new Date(`${v}T23:59:59Z`).getTime() > Date.now(), "The expiry date is in the past")
      .optional(),
  ),
});

export type CreateApiKeyInput = z.infer<typeof createApiKeySchema>;

export const revokeApiKeySchema = z.object({ keyId: recordIdSchema("The key") });
