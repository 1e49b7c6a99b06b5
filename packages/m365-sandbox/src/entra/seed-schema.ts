/**
 * The shape of a seed (POST {controlUrl}/seed, `--seed <file>`, startSandbox({ seed })) as a zod schema:
 * every key, its type, what is required. Unknown keys are refused, so a typo ("adminConsnet") is an error
 * instead of a silently ignored setting. What the shape cannot say — references to other objects, unique
 * names, known permissions, policy scopes — is checked where the seed is applied (seed-apply.ts); both
 * report fields the same way ("users[1].userPrincipalName").
 */
import { z } from "zod";

const text = z.string().trim().min(1);
const optText = z.string().optional();
const isoDate = z.string().refine((v) => !Number.isNaN(Date.parse(v)), "expected a date (ISO 8601, e.g. 2027-01-01T00:00:00Z)");
const textList = z.array(text);
/** The tenant an object belongs to: its id or a verified domain (default: the demo tenant). */
const tenantRef = text.optional();

const mailboxKind = z.enum(["user", "shared", "room", "equipment"]);
const mailbox = z.union([
  mailboxKind,
  z.literal(false),
  z.strictObject({
    kind: mailboxKind,
    maxSendSize: z.number().int().positive().optional(),
    restEnabled: z.boolean().optional(),
    proxyAddresses: textList.optional(),
  }),
]);

const secret = z.strictObject({ secretText: optText, displayName: optText, startDateTime: isoDate.optional(), endDateTime: isoDate.optional() });
const certificate = z.strictObject({ pem: text, displayName: optText, startDateTime: isoDate.optional(), endDateTime: isoDate.optional() });

export const seedSchema = z.strictObject({
  tenants: z.array(z.strictObject({ id: optText, domain: optText, domains: z.array(z.string()).optional(), displayName: optText })).optional(),
  users: z
    .array(
      z.strictObject({
        tenant: tenantRef,
        id: optText,
        userPrincipalName: text,
        displayName: text,
        password: optText,
        givenName: optText,
        surname: optText,
        mail: optText,
        jobTitle: optText,
        department: optText,
        createdDateTime: isoDate.optional(),
        accountEnabled: z.boolean().optional(),
        directoryRoles: textList.optional(),
        mailbox: mailbox.optional(),
      }),
    )
    .optional(),
  groups: z
    .array(
      z.strictObject({
        tenant: tenantRef,
        id: optText,
        displayName: text,
        kind: z.enum(["mailEnabledSecurity", "security", "distribution", "microsoft365", "dynamicDistribution"]),
        mail: optText,
        members: textList.optional(),
      }),
    )
    .optional(),
  apps: z
    .array(
      z.strictObject({
        tenant: tenantRef,
        appId: optText,
        displayName: text,
        signInAudience: z.enum(["AzureADMyOrg", "AzureADMultipleOrgs"]).optional(),
        redirectUris: z.array(z.url()).optional(),
        applicationPermissions: textList.optional(),
        delegatedPermissions: textList.optional(),
        secrets: z.array(secret).optional(),
        certificates: z.array(certificate).optional(),
        servicePrincipal: z.boolean().optional(),
        adminConsent: z.boolean().optional(),
      }),
    )
    .optional(),
  appRoleGrants: z.array(z.strictObject({ tenant: tenantRef, appId: text, permission: text })).optional(),
  delegatedGrants: z.array(z.strictObject({ tenant: tenantRef, appId: text, scopes: textList.min(1), user: optText })).optional(),
  accessPolicies: z
    .array(z.strictObject({ tenant: tenantRef, appId: text, accessRight: z.enum(["RestrictAccess", "DenyAccess"]), scope: text, description: optText }))
    .optional(),
  exoServicePrincipals: z.array(z.strictObject({ tenant: tenantRef, appId: text, objectId: optText, displayName: optText })).optional(),
  managementScopes: z.array(z.strictObject({ tenant: tenantRef, name: text, recipientRestrictionFilter: text })).optional(),
  roleAssignments: z.array(z.strictObject({ tenant: tenantRef, appId: text, role: text, name: optText, customResourceScope: optText })).optional(),
});

/** A seed as the caller writes it (every list optional). */
export type SeedInput = z.input<typeof seedSchema>;

/** "users[1].userPrincipalName" from ["users", 1, "userPrincipalName"]. */
export function fieldName(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), "");
}

/** Every problem with the seed's shape, as field name → message; empty when the shape is right. */
export function seedShapeProblems(body: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const r = seedSchema.safeParse(body);
  if (r.success) return out;
  for (const issue of r.error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const k of issue.keys) out.set(fieldName([...issue.path, k]), "is not a seed field");
    } else if (!out.has(fieldName(issue.path))) out.set(fieldName(issue.path) || "(body)", issue.message);
  }
  return out;
}
