import { z } from "zod";
import { emailSchema } from "./common";

/** Shared by the browser forms and the server: the only lib/ part the browser may import. */
export const signInSchema = z.object({
  email: emailSchema("Enter an email address such as admin@contoso.com"),
  password: z.string().min(1, "Enter your password"),
});

export const claimSchema = z
  .object({
    code: z.string().trim().min(1, "Enter the setup code printed in the portal's console"),
    name: z.string().trim().min(1, "Enter your name").max(120, "Name is too long (120 characters at most)"),
    email: emailSchema("Enter an email address such as admin@contoso.com"),
    password: z.string().min(12, "Use at least 12 characters").max(256, "Password is too long"),
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "The passwords do not match" });

export const roleSchema = z.enum(["admin", "sender", "auditor"]);

export const changeRoleSchema = z.object({
  userId: z.string().min(1),
  role: roleSchema,
});
