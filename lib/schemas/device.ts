import { z } from "zod";
import { parseRangeList } from "../devices/ip-ranges";
import { emailSchema, recordIdSchema } from "./common";

/**
 * The Devices page's forms (browser-safe: the forms and lib/devices/* share them). A device is a principal
 * of the sender-grant model: its granted mailboxes are SenderGrant rows, its default mailbox one of them.
 * Every field is named in its own messages, so a refused form points at what to fix.
 */
const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const checkbox = z.preprocess((v) => v === "on" || v === "true" || v === true, z.boolean());

export const FROM_POLICIES = ["reject", "rewrite"] as const;
export const FROM_POLICY_LABELS: Record<(typeof FROM_POLICIES)[number], string> = {
  reject: "Refuse it (550 5.7.1)",
  rewrite: "Send it from the default mailbox, the device's From as Reply-To",
};

/** A device name: one line, any characters people use (quotes, <, & …) — it is always rendered as text. */
export const deviceNameSchema = z
  .string({ error: "Name the device" })
  .trim()
  .min(1, "Name the device (for example: 2nd floor scanner)")
  .max(100, "A device name has at most 100 characters")
  .regex(/^[^\u0000-\u001f\u007f]+$/, "A device name is one line of text");

/**
 * The allowed source addresses: CIDR ranges or single addresses, separated by commas, spaces or lines
 * (lib/devices/ip-ranges.ts). Canonical ranges out; the entries that are not addresses are named.
 */
const allowedIpsSchema = z.preprocess(
  // An array (already parsed: the lib operations parse again what the action parsed) reads as a list.
  (v) => (v === undefined || v === null ? "" : Array.isArray(v) ? v.join("\n") : v),
  z
    .string({ error: "Enter address ranges such as 10.0.20.0/24" })
    .max(4000, "At most 4000 characters of address ranges")
    .transform((text, ctx) => {
      const { ranges, invalid } = parseRangeList(text);
      if (invalid.length) {
        ctx.addIssue({ code: "custom", message: `Not an IP address or CIDR range: ${invalid.slice(0, 3).join(", ")}${invalid.length > 3 ? " …" : ""} (use forms like 10.0.20.0/24 or 192.168.1.20)` });
        return z.NEVER;
      }
      if (ranges.length > 50) {
        ctx.addIssue({ code: "custom", message: "At most 50 address ranges per device" });
        return z.NEVER;
      }
      return ranges;
    }),
);

const mailboxIdsSchema = z
  .union([z.string(), z.array(z.string())], { error: "Grant the device at least one mailbox" })
  .transform((v) => (Array.isArray(v) ? v : [v]).filter((x) => x !== ""))
  .pipe(z.array(recordIdSchema("A mailbox")).min(1, "Grant the device at least one mailbox").max(100, "At most 100 mailboxes per device"));

/** Fields shared by "Add device" and "Edit device". */
const settings = {
  name: deviceNameSchema,
  /** Sender mailbox ids the device may send as (SenderGrant rows). */
  mailboxIds: mailboxIdsSchema,
  /** Used when the device's From is not granted and the policy is "rewrite" (and when the message has no From). */
  defaultMailboxId: z.preprocess(blank, recordIdSchema("The default mailbox").optional()),
  fromPolicy: z.preprocess(blank, z.enum(FROM_POLICIES, "Choose what happens to a From that is not granted").default("reject")),
  allowedIps: allowedIpsSchema,
  ipOnly: checkbox,
  allowPlaintext: checkbox,
  maxMessageMb: z.preprocess(blank, z.coerce.number({ error: "Enter a size in MB" }).int("Enter a whole number of MB").min(1, "At least 1 MB").max(150, "At most 150 MB (Graph's limit)").optional()),
  ratePerMinute: z.preprocess(blank, z.coerce.number({ error: "Enter messages per minute" }).int("Enter a whole number").min(1, "At least 1 per minute").max(600, "At most 600 per minute").default(30)),
  saveToSent: checkbox,
};

type Settings = z.infer<z.ZodObject<typeof settings>>;

/** The rules between fields, each reported on the field the admin has to change. */
function crossChecks(v: Settings, ctx: z.RefinementCtx) {
  if (v.defaultMailboxId && !v.mailboxIds.includes(v.defaultMailboxId)) {
    ctx.addIssue({ code: "custom", path: ["defaultMailboxId"], message: "The default mailbox must be one of the mailboxes granted above" });
  }
  if (v.fromPolicy === "rewrite" && !v.defaultMailboxId) {
    ctx.addIssue({ code: "custom", path: ["defaultMailboxId"], message: "Choose a default mailbox: the From is rewritten to it" });
  }
  if (v.ipOnly && v.allowedIps.length === 0) {
    ctx.addIssue({ code: "custom", path: ["allowedIps"], message: "An IP-only device (no password) needs the address ranges it connects from" });
  }
  if (v.allowPlaintext && v.allowedIps.length === 0) {
    ctx.addIssue({ code: "custom", path: ["allowedIps"], message: "Plain-text AUTH is allowed only from listed addresses: enter the device's address ranges" });
  }
}

export const createDeviceSchema = z.object({ tenantId: recordIdSchema("The tenant"), ...settings }).superRefine(crossChecks);
export type CreateDeviceInput = z.infer<typeof createDeviceSchema>;

export const updateDeviceSchema = z.object({ deviceId: recordIdSchema("The device"), ...settings }).superRefine(crossChecks);
export type UpdateDeviceInput = z.infer<typeof updateDeviceSchema>;

export const deviceIdSchema = z.object({ deviceId: recordIdSchema("The device") });

/**
 * "Send a test": the password the admin just saw or pastes (never stored, never echoed back) and a
 * recipient. An IP-only device has no password.
 */
export const testSendSchema = z.object({
  deviceId: recordIdSchema("The device"),
  password: z.preprocess((v) => (v === undefined || v === null ? "" : v), z.string().max(200, "A device password has at most 200 characters")),
  to: emailSchema("Enter the address the test goes to, such as you@contoso.com"),
});
export type TestSendInput = z.infer<typeof testSendSchema>;
