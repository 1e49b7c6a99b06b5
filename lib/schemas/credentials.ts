import { z } from "zod";
import { isEmail, isGuid } from "./common";
import { certificateSchema, secretSchema } from "./wizard";

/** Credential lifecycle forms (browser-safe): rotation steps and the warning mailbox. */
const tenantId = z.string({ error: "Choose a tenant" }).min(1, "Choose a tenant").max(64, "That is not a tenant id");

export const rotationTenantSchema = z.object({ tenantId });
export const rotationCertificateSchema = certificateSchema.extend({ tenantId });
export const rotationSecretSchema = z.object({
  tenantId,
  secret: secretSchema.shape.secret,
  // The date is checked against the portal's clock in the lib op's caller too; the schema refuses the past.
  expires: secretSchema.shape.expires,
  keyId: z
    .string()
    .trim()
    .max(64, "The secret ID is a GUID such as 8f2b1c7e-…")
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine((v) => v === undefined || isGuid(v), "The secret ID is a GUID such as 8f2b1c7e-5d3a-4c1f-9e2b-0a1b2c3d4e5f (Certificates & secrets → Secret ID)"),
});
export const rotationRunSchema = z.object({ tenantId, kind: z.enum(["add-certificate", "add-secret", "remove"], { error: "Choose a rotation script" }) });

export const alertSenderSchema = z.object({
  tenantId,
  fromAddress: z
    .string({ error: "Choose the mailbox that sends the warnings" })
    .trim()
    .min(1, "Choose the mailbox that sends the warnings")
    .max(254, "That address is too long")
    .refine(isEmail, "Choose the mailbox as an email address such as it-alerts@contoso.com"),
});
