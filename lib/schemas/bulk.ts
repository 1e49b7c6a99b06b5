import { z } from "zod";
import { isEmail, isStorableText, recordIdSchema } from "./common";
import { parseAddressList } from "./compose";

/**
 * Bulk runs (lib/bulk): the "new run" form (source), the template form and the run's controls.
 * Browser-safe. A run sends one message per recipient; Exchange allows 10,000 recipients a day per
 * mailbox (lib/schemas/common.ts EXCHANGE_LIMITS), which also caps one run.
 */
export const MAX_RUN_RECIPIENTS = 10_000;
export const MAX_CSV_CHARS = 2_000_000;
export const BULK_OPS = ["start", "pause", "resume", "cancel"] as const;
export type BulkOp = (typeof BULK_OPS)[number];

const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const storable = (what: string) => [isStorableText, `${what} cannot contain NUL characters or half of an emoji (an unpaired surrogate)`] as const;

export const newRunSchema = z
  .object({
    tenantId: recordIdSchema("The tenant"),
    from: z.string({ error: "Choose the mailbox to send from" }).trim().toLowerCase().refine(isEmail, "Choose the mailbox to send from"),
    name: z.preprocess(blank, z.string().trim().max(120, "The name is 120 characters at most").refine(...storable("The name")).optional()),
    source: z.enum(["directory", "csv"], { error: "Choose where the recipients come from" }),
    since: z.preprocess(
      blank,
      z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date like 2026-11-28")
        .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), "That date does not exist")
        .optional(),
    ),
    csv: z.preprocess(blank, z.string().max(MAX_CSV_CHARS, "The CSV is too long (about 2 MB at most)").refine(...storable("The CSV")).optional()),
  })
  .superRefine((v, ctx) => {
    if (v.source === "directory" && !v.since) ctx.addIssue({ code: "custom", path: ["since"], message: "Enter the date from which new users are welcomed" });
    if (v.source === "directory" && v.since && Date.parse(`${v.since}T00:00:00Z`) > Date.now()) ctx.addIssue({ code: "custom", path: ["since"], message: "The date is in the future: no user was created after it yet" });
    if (v.source === "csv" && !v.csv) ctx.addIssue({ code: "custom", path: ["csv"], message: "Paste the CSV, or choose a CSV file" });
  });
export type NewRunInput = z.infer<typeof newRunSchema>;

const NO_CRLF = /^[^\r\n]*$/;

export const templateSchema = z.object({
  runId: recordIdSchema("The run"),
  subject: z
    .string({ error: "Enter a subject" })
    .trim()
    .min(1, "Enter a subject")
    .max(255, "The subject is 255 characters at most")
    .regex(NO_CRLF, "The subject cannot contain line breaks")
    .refine(...storable("The subject")),
  html: z.string({ error: "Write the message" }).trim().min(1, "Write the message").max(1_000_000, "The message is too long (about 1 MB at most)").refine(...storable("The message")),
  cc: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const { valid, invalid } = parseAddressList(v ?? "");
      if (invalid.length) {
        ctx.addIssue({ code: "custom", message: `Cc: "${invalid[0]}" is not an email address` });
        return z.NEVER;
      }
      if (valid.length > 50) {
        ctx.addIssue({ code: "custom", message: "At most 50 Cc addresses" });
        return z.NEVER;
      }
      return [...new Set(valid.map((a) => a.address.toLowerCase()))];
    }),
  /** An upload id (POST /api/uploads), "keep" for the run's current attachment, or empty for none. */
  attachment: z.preprocess(blank, z.union([z.literal("keep"), z.string().regex(/^[a-f0-9]{32}$/, "That attachment was not found; attach the file again")]).optional()),
});
export type TemplateInput = z.infer<typeof templateSchema>;

export const controlSchema = z.object({
  runId: recordIdSchema("The run"),
  op: z.enum(BULK_OPS, { error: "Choose start, pause, resume or cancel" }),
});

export const RUN_STATUS_LABELS = { draft: "Draft", running: "Running", paused: "Paused", cancelled: "Cancelled", done: "Done" } as const;
