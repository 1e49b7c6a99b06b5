import { z } from "zod";
import { CLOUD_IDS, isDirectoryId, isEmail, isGuid } from "./common";

/**
 * The setup wizard's steps and form schemas, shared by the forms and the server actions (browser-safe).
 * Every text field refuses line breaks: values end up in generated scripts and one line is one value.
 */
export const WIZARD_STEPS = ["tenant", "register", "credential", "consent", "verify", "restrict", "prove", "done"] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

export const STEP_LABELS: Record<WizardStep, string> = {
  tenant: "Tenant",
  register: "Register the app",
  credential: "Credential",
  consent: "Admin consent",
  verify: "Verify",
  restrict: "Restrict senders",
  prove: "Prove it",
  done: "Done",
};

export const stepIndex = (s: string) => Math.max(0, WIZARD_STEPS.indexOf(s as WizardStep));
export const isWizardStep = (s: string): s is WizardStep => (WIZARD_STEPS as readonly string[]).includes(s);


const oneLine = (label: string, max: number) =>
  z
    .string({ error: `Enter the ${label}` })
    .trim()
    .min(1, `Enter the ${label}`)
    .max(max, `The ${label} is too long (${max} characters at most)`)
    .refine((v) => !/[\r\n\u2028\u2029\u0085\0]/.test(v), `The ${label} must be one line`);

const checkbox = z.preprocess((v) => v === "on" || v === "true" || v === true, z.boolean());

export const directoryIdSchema = oneLine("directory (tenant) ID or domain", 253).refine(
  isDirectoryId,
  "Enter the Directory (tenant) ID, a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47, or a verified domain such as contoso.onmicrosoft.com",
);

export const clouds = CLOUD_IDS;

export const tenantStepSchema = z.object({
  name: oneLine("display name", 120),
  directoryId: directoryIdSchema,
  cloud: z.enum(clouds, { error: "Choose the Microsoft cloud the tenant lives in" }),
  usage: z.enum(["application", "delegated", "both"], { error: "Choose what the portal will be used for" }),
  largeAttachments: checkbox,
  bulkDirectory: checkbox,
  messageTrace: checkbox,
});
export type TenantStepInput = z.infer<typeof tenantStepSchema>;

export const guidSchema = (label: string) =>
  oneLine(label, 36).refine(isGuid, `The ${label} is a GUID such as 3fa85f64-5717-4562-b3fc-2c963f66afa6 (Entra ID → App registrations → Overview)`);

export const clientIdSchema = z.object({ clientId: guidSchema("application (client) ID") });

/** Scripts the sandbox can run (the Azure CLI one is for the admin's own shell). */
export const runScriptSchema = z.object({ kind: z.enum(["register-ps", "certificate", "policy", "rbac", "remove-grant"]) });

export const plannedCredentialSchema = z.object({ credential: z.enum(["secret", "certificate"]) });

export const secretSchema = z.object({
  secret: z
    .string({ error: "Paste the client secret's Value" })
    .min(1, "Paste the client secret's Value")
    .max(1024, "That is too long to be a client secret")
    .refine((v) => !/[\r\n\0]/.test(v), "The client secret is one line: paste only its Value")
    .refine((v) => !isGuid(v.trim()), "That is the secret's ID. Paste its Value (shown once, next to the ID) instead"),
  expires: z
    .string({ error: "Enter the date the secret expires" })
    .regex(/^\d{4}-\d{2}-\d{2}$/, "Enter the expiry date shown in Entra ID (YYYY-MM-DD)")
    // A date that does not exist (2099-02-30) would roll over to another day (2099-03-02) and be stored as that.
    .refine((v) => { const d = new Date(`${v}T00:00:00Z`); return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v; }, "That date does not exist: enter the expiry date shown in Entra ID (YYYY-MM-DD)")
    .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && Date.parse(`${v}T23:59:59Z`) > Date.now(), "That date is in the past: create a new secret"),
});

export const certificateSchema = z.object({ years: z.coerce.number().int().min(1, "1 or 2 years").max(2, "1 or 2 years") });

const email = (label: string) =>
  oneLine(label, 254).refine(isEmail, `Enter the ${label} as an email address such as hr-welcome@contoso.com`);

export const restrictSchema = z
  .object({
    mailboxes: z
      .string({ error: "List the mailboxes the app may send as" })
      .transform((v) => [...new Set(v.split(/[\s,;]+/).map((x) => x.trim().toLowerCase()).filter(Boolean))])
      .pipe(z.array(z.string()).min(1, "List at least one mailbox the app may send as").max(200, "List at most 200 mailboxes (use a group for more)")),
    /** RBAC for Applications (Microsoft's recommended way, the default) or an application access policy. */
    method: z.preprocess((v) => (v === undefined || v === null || v === "" ? "rbac" : v), z.enum(["rbac", "policy"], { error: "Choose how to restrict the app: RBAC for Applications or an application access policy" })),
    // Only the access policy needs a group (its PolicyScopeGroupId); the RBAC scope lists the mailboxes.
    groupAddress: z.preprocess((v) => (v === "" ? undefined : v), email("group address").optional()),
    createGroup: checkbox,
    outsideMailbox: z.preprocess((v) => (v === "" ? undefined : v), email("mailbox outside the restriction").optional()),
  })
  .superRefine((v, ctx) => {
    v.mailboxes.forEach((m) => {
      if (!isEmail(m)) ctx.addIssue({ code: "custom", path: ["mailboxes"], message: `"${m}" is not an email address` });
    });
    if (v.method === "policy" && !v.groupAddress) {
      ctx.addIssue({ code: "custom", path: ["groupAddress"], message: "Enter the mail-enabled security group the access policy is scoped to (or choose RBAC for Applications, which needs none)" });
    }
    const group = v.groupAddress?.toLowerCase();
    if (group && v.mailboxes.includes(group)) {
      ctx.addIssue({
        code: "custom",
        path: ["groupAddress"],
        message: "The group must be a mail-enabled security group, not one of the mailboxes: a shared mailbox, a distribution group or a Microsoft 365 group cannot scope the app. Put the mailboxes in a mail-enabled security group and enter the group's address.",
      });
    }
    if (v.outsideMailbox && v.mailboxes.includes(v.outsideMailbox.toLowerCase())) {
      ctx.addIssue({ code: "custom", path: ["outsideMailbox"], message: "Pick a mailbox that is NOT in the list above, to prove the restriction refuses it" });
    }
  });
export type RestrictInput = z.infer<typeof restrictSchema>;

export const proveSchema = z.object({ again: z.string().optional() });
