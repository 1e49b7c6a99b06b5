import { z } from "zod";
import { isEmail, isStorableText, recordIdSchema } from "./common";
import { MAX_HEADERS, MAX_RECIPIENTS, parseAddressList } from "./addresses";

/**
 * Compose: shared by the compose form (address chips, per-field messages) and the server (queue-send).
 * Graph's own rules (shared/GRAPH-FACTS.md §1): at most 500 recipients, at most 5 internet message
 * headers whose names start with x-/X-; CRLF is refused in the subject and header values, which would
 * otherwise let a typed value start a new header.
 */
export { DEFAULT_MAILBOX_LIMIT, formatAddress, INLINE_TOTAL_LIMIT, MAX_ATTACHMENT_BYTES, MAX_HEADERS, MAX_RECIPIENTS, parseAddressList, type Address, type SendStatusView } from "./addresses";
export { isEmail };

const NO_CRLF = /^[^\r\n]*$/;
// NUL and lone surrogates cannot be stored (lib/schemas/common.ts): refused as a field error, not a failed insert.
const storable = (what: string) => [isStorableText, `${what} cannot contain NUL characters or half of an emoji (an unpaired surrogate)`] as const;

/** A field of addresses as the form submits it (one string, any separators) or as JSON clients send it. */
const addressField = (label: string) =>
  z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v, ctx) => {
      const text = Array.isArray(v) ? v.join("\n") : (v ?? "");
      const { valid, invalid } = parseAddressList(text);
      if (invalid.length) {
        ctx.addIssue({ code: "custom", message: `${label}: "${invalid[0]}" is not an email address` });
        return z.NEVER;
      }
      const seen = new Set<string>();
      return valid.filter((a) => !seen.has(a.address.toLowerCase()) && seen.add(a.address.toLowerCase()));
    });

export const headerSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, "Enter a header name")
    .max(100, "Header names are 100 characters at most")
    .regex(/^[xX]-[A-Za-z0-9-]+$/, "Custom header names must start with x- or X- and use letters, digits and hyphens (Graph refuses others)"),
  value: z.string().max(998, "Header values are 998 characters at most").regex(NO_CRLF, "Header values cannot contain line breaks").refine(...storable("Header values")),
});

export const attachmentRefSchema = z.object({ id: z.string().regex(/^[a-f0-9]{32}$/, "Unknown attachment") });

const bool = z
  .union([z.boolean(), z.enum(["true", "false", "on", "off"])])
  .optional()
  // Absent means Graph's default (true); the form always sends "true" or "false".
  .transform((v) => v === undefined || v === true || v === "true" || v === "on");

/** The JSON/FormData shape; headers and attachments arrive as JSON strings from the form. */
/** A list that arrives as an array (JSON API) or as a JSON string in one form field (the compose form). */
function jsonList<T extends z.ZodType>(item: T, max: number, label: string, tooMany: string) {
  return z
    .union([z.string(), z.array(item)])
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return [];
      if (Array.isArray(v)) return v;
      try {
        return JSON.parse(v) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: `${label} are not readable` });
        return z.NEVER;
      }
    })
    .pipe(z.array(item).max(max, tooMany));
}

export const composeSchema = z
  .object({
    tenantId: recordIdSchema("The tenant"),
    mode: z.enum(["app", "delegated"], { error: "Choose how to send: as a mailbox (application) or as yourself" }),
    from: z.string().trim().toLowerCase().refine(isEmail, "Choose the mailbox to send from"),
    to: addressField("To"),
    cc: addressField("Cc"),
    bcc: addressField("Bcc"),
    replyTo: addressField("Reply-To"),
    subject: z.string().max(255, "The subject is 255 characters at most").regex(NO_CRLF, "The subject cannot contain line breaks").refine(...storable("The subject")),
    bodyType: z.enum(["html", "text"]).default("html"),
    body: z.string().max(2_000_000, "The body is too long (about 2 MB at most)").refine(...storable("The body")).default(""),
    importance: z.enum(["low", "normal", "high"]).default("normal"),
    saveToSent: bool,
    headers: jsonList(headerSchema, MAX_HEADERS, "Headers", `At most ${MAX_HEADERS} custom headers (Graph's limit)`),
    attachments: jsonList(attachmentRefSchema, 50, "Attachments", "At most 50 attachments"),
  })
  .superRefine((v, ctx) => {
    const n = v.to.length + v.cc.length + v.bcc.length;
    if (n === 0) ctx.addIssue({ code: "custom", path: ["to"], message: "Add at least one recipient in To, Cc or Bcc" });
    if (n > MAX_RECIPIENTS) ctx.addIssue({ code: "custom", path: ["to"], message: `At most ${MAX_RECIPIENTS} recipients in To, Cc and Bcc together (Graph's limit); split the message` });
    const names = new Set<string>();
    (Array.isArray(v.headers) ? v.headers : []).forEach((h, i) => {
      if (!h || typeof h.name !== "string") return;
      if (names.has(h.name.toLowerCase())) ctx.addIssue({ code: "custom", path: ["headers", i, "name"], message: `Header ${h.name} appears twice` });
      names.add(h.name.toLowerCase());
    });
  });

export type ComposeInput = z.infer<typeof composeSchema>;

/** File names as stored and sent: no directories, no control characters, no leading dots. */
export function sanitizeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const clean = base.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, "_").replace(/^[.\s]+/, "").trim().slice(0, 200);
  return clean || "attachment";
}
