import { z } from "zod";
import { isEmail } from "../schemas/common";

/**
 * Admission of people who sign in with Microsoft: shared by the Settings → Users forms, their server
 * actions and the lib/admission operations (browser-safe, no server-only).
 */
export const ADMISSION_MODES = ["invitation", "approval", "automatic"] as const;
export type AdmissionMode = (typeof ADMISSION_MODES)[number];

export const ADMISSION_LABELS: Record<AdmissionMode, string> = {
  invitation: "By invitation",
  approval: "By approval",
  automatic: "Automatically",
};

export const ADMISSION_HINTS: Record<AdmissionMode, string> = {
  invitation: "Only addresses an admin invited get in; everyone else is refused.",
  approval: "A first sign-in creates a request; the person waits until an admin approves or declines it.",
  automatic: "Anyone of the tenant's directory who signs in gets the role below at once.",
};

/** How long an invitation stays open: the person must sign in once within this many days. */
export const INVITATION_VALID_DAYS = 14;

export const ROLES = ["admin", "sender", "auditor"] as const;
/** Roles the automatic mode may hand out: an admin is always made by another admin, by name. */
export const AUTOMATIC_ROLES = ["sender", "auditor"] as const;

const id = (what: string) => z.string({ error: `${what} is missing` }).trim().min(1, `${what} is missing`).max(64, `${what} is not valid`);

export const admissionSchema = z.object({
  tenantId: id("The tenant"),
  admission: z.enum(ADMISSION_MODES, { error: "Choose how people get in: by invitation, by approval or automatically" }),
  admissionRole: z.enum(AUTOMATIC_ROLES, {
    error: "People admitted automatically get the sender or auditor role; an admin is never made automatically",
  }),
});
export type AdmissionInput = z.infer<typeof admissionSchema>;

// One rule for email addresses in the portal (lib/schemas/compose.ts); control characters are refused
// before trimming so "a@x.com\r\nBcc: …" is an error, not a silently shortened address.
const inviteEmail = z
  .string({ error: "Enter the email address to invite" })
  .refine((v) => !/[\u0000-\u001f\u007f\u2028\u2029]/.test(v), "An email address is one line, without line breaks or control characters")
  .trim()
  .toLowerCase()
  .min(1, "Enter the email address to invite")
  .refine(isEmail, "Enter one email address, such as adele.vance@contoso.com");

export const inviteSchema = z.object({
  tenantId: id("The tenant"),
  email: inviteEmail,
  role: z.enum(ROLES, { error: "Choose the role to give: admin, sender or auditor" }),
});
export type InviteInput = z.infer<typeof inviteSchema>;

export const revokeInvitationSchema = z.object({ invitationId: id("The invitation") });

const requestId = id("The request");
const grantRole = z.enum(ROLES, { error: "Choose the role to give: admin, sender or auditor" });

/** Approve needs a role; Decline ignores the role select that sits in the same form. */
export const decideRequestSchema = z.discriminatedUnion(
  "decision",
  [
    z.object({ requestId, decision: z.literal("approve"), role: grantRole }),
    z.object({ requestId, decision: z.literal("reject"), role: z.string().optional() }),
  ],
  { error: "Choose Approve or Decline" },
);
export type DecideRequestInput = z.infer<typeof decideRequestSchema>;
