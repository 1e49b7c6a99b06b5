"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/action";
import { updateUser } from "@/lib/users/update-user";
import { roleSchema } from "@/lib/schemas/auth";
import { updateAdmission } from "@/lib/admission/update-admission";
import { inviteUser } from "@/lib/admission/invite-user";
import { revokeInvitation } from "@/lib/admission/revoke-invitation";
import { decideAccessRequest } from "@/lib/admission/decide-access-request";
import { ADMISSION_LABELS, admissionSchema, decideRequestSchema, inviteSchema, revokeInvitationSchema } from "@/lib/admission/schemas";

const schema = z.object({
  userId: z.string().min(1),
  role: roleSchema.optional(),
  disabled: z.enum(["true", "false"]).transform((v) => v === "true").optional(),
});

export const updateUserAction = action({ schema, roles: ["admin"], what: "manage users" }, async (input, { user }) => {
  await updateUser(user!, input);
  revalidatePath("/settings/users");
  return { status: "ok", message: "User updated." };
});

export const updateAdmissionAction = action({ schema: admissionSchema, roles: ["admin"], what: "change how people get in" }, async (input, { user }) => {
  const after = await updateAdmission(user!, input);
  revalidatePath("/settings/users");
  const how = ADMISSION_LABELS[after.admission].toLowerCase();
  return { status: "ok", message: `Admission saved: ${how}${after.admission === "automatic" ? ` as ${after.admissionRole}` : ""}.` };
});

export const inviteUserAction = action({ schema: inviteSchema, roles: ["admin"], what: "invite people" }, async (input, { user }) => {
  const invitation = await inviteUser(user!, input);
  revalidatePath("/settings/users");
  return { status: "ok", message: `Invited ${invitation.email} as ${invitation.role}.` };
});

export const revokeInvitationAction = action({ schema: revokeInvitationSchema, roles: ["admin"], what: "revoke invitations" }, async (input, { user }) => {
  await revokeInvitation(user!, input);
  revalidatePath("/settings/users");
  return { status: "ok", message: "Invitation revoked." };
});

export const decideAccessRequestAction = action({ schema: decideRequestSchema, roles: ["admin"], what: "decide access requests" }, async (input, { user }) => {
  const decision = await decideAccessRequest(user!, input);
  revalidatePath("/settings/users");
  return { status: "ok", message: decision.status === "approved" ? `Request approved as ${input.role}.` : "Request declined." };
});
